"""The command workflow on the workstation: intake, plan review and briefing, boards, statistics.

``controller.WorkflowController`` hooks these into the main window; each
dialog and board also works on its own with a :class:`~widgets.bridge.HubBridge`
(tests drive them through their public attributes).
"""
