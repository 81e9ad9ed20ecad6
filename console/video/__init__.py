"""Cameras that raise incidents: thrown objects (高空抛物) and dangerous crowds.

No Qt here.  The parts, in the order a frame meets them:

- ``config``: ``config/cameras.toml`` (``load_cameras``), format in ``docs/cameras.md``;
- ``source``: frames from a file, stream or device with reconnection and backoff;
- ``worker`` / ``supervisor``: one process per camera, records to the hub
  (``CameraSupervisor``);
- ``pipeline``: one camera's analysis (``CameraPipeline``), shared by the workers and
  ``main.py detect`` (``cli.detect_main``);
- ``frameprep`` (shake, exposure), ``tracking``, ``throw`` (the gravity test),
  ``crowd`` (perspective-weighted foreground area);
- ``evidence``: snapshots and clips of events only, and their retention;
- ``records``: what workers report (msgpack between processes);
- ``scenes`` and ``evaluate``: the generated, labelled evaluation set and its scoring.
"""
