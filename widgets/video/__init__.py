"""The video wall: camera tiles with overlays, a large view, recent camera detections."""
