"""The front-line terminal: protocol state machine, local store, shell program, simulator.

- :mod:`console.terminal.session`: :class:`TerminalSession`, the socket-free protocol logic
  (dedupe by order id, reliable receipts, heartbeats, hub restart detection).
- :mod:`console.terminal.localstore`: what a terminal remembers across restarts.
- :mod:`console.terminal.client`: :class:`TerminalClient`, one session on its own thread.
- :mod:`console.terminal.fleet`: many sessions on one thread (simulator, tests, benchmark).
- :mod:`console.terminal.shell`: the officer's shell program (the window is ``widgets.terminal``).
- :mod:`console.terminal.gps`: position sources (NMEA file/device, route, fixed point).
- :mod:`console.terminal.gnss`: the device's GNSS receiver through pynmea2 and pyserial
  (GST accuracy, GNS, the fix's own time).
- :mod:`console.terminal.media`: photos and short clips made small enough for the link.
- :mod:`console.terminal.simulator`: N simulated officers moving along the district's roads.
"""
