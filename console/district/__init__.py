"""District packages: a real district's map, stations, areas, roster and past calls.

A package is one folder (``district.toml`` plus GeoJSON and CSV files, see
``docs/district-package.md``); :mod:`console.district.load` reads and checks
it, :mod:`console.district.importer` writes it to the store as a new version,
:mod:`console.district.export` writes a stored version back out,
:mod:`console.district.calls_import` loads past 110 calls and
:mod:`console.district.cli` is ``main.py district|calls|plan``.  The demo
district is written as a package too (:mod:`console.demo.package`).
"""
