"""Graphics items of the map, one module per kind of thing drawn."""
