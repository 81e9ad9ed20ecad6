"""Every Qt class of the workstation; ``console/`` never imports from here."""
