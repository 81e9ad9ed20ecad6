"""The link between the command hub and the outside: terminals and workstations.

- :mod:`console.link.protocol`: the versioned terminal wire protocol (msgspec, msgpack).
- :mod:`console.link.keys`: CURVE key files (the hub key lives outside the repository).
- :mod:`console.link.trust`: enrolment, revocation and the ZAP handler that enforces them.
- :mod:`console.link.outbox`: orders at least once, from the ``orders`` table.
- :mod:`console.link.receipts`: terminal reports applied forward-only, exactly once in effect.
- :mod:`console.link.server`: :class:`TerminalLink`, the hub's ROUTER thread (receive side);
  :mod:`console.link.dispatch`: its send side; :mod:`console.link.sessions`: its state.
- :mod:`console.link.sockopts`: socket options and why (no ZMTP heartbeats: libzmq abort).
- :mod:`console.link.hubport` / :mod:`console.link.hubcmd`: what the link needs from the hub.
- :mod:`console.link.workstation` / :mod:`console.link.remote`: workstations over ZeroMQ.
- :mod:`console.link.node`: ZAP + terminal link + workstation server for one hub process.
- :mod:`console.link.cli`: entry points the main CLI wires in.
"""
