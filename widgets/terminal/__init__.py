"""The officer's terminal app: a PySide6 window for an in-car tablet or a phone.

``python main.py terminal --gui --hub ENDPOINT --key FILE`` (or ``python -m widgets.terminal``):
the order card, a map with the route and the streets around the scene, the turns
by street, big buttons for each step of an order, photos and short videos,
messages both ways, the reports waiting for the network, and the unit's status.
The protocol work is :class:`console.terminal.client.TerminalClient` (the same
library as the shell terminal); nothing here talks to a socket.
"""
