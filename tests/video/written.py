"""Helpers of the video tests: a generated scene on disk, a real MJPEG camera."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import numpy as np

from console.video.scenes import Scene, SceneSpec


@dataclass(frozen=True)
class WrittenScene:
    """A scene on disk: its video, camera file and the scene (with labels)."""

    scene: Scene
    video: Path
    camera: Path


def write_scene(spec: SceneSpec, base: Path) -> WrittenScene:
    """Generate ``spec`` into ``base``."""
    scene = Scene(spec)
    video, camera, _labels = scene.write(base)
    return WrittenScene(scene, video, camera)


class MjpegServer:
    """A real MJPEG-over-HTTP camera that can be cut off and brought back on its port."""

    def __init__(self) -> None:
        self.frames = [
            cv2.imencode(".jpg", np.full((96, 128, 3), 30 * i % 255, np.uint8))[1].tobytes()
            for i in range(8)
        ]
        self.cut = threading.Event()
        self.port = 0
        self.server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                i = 0
                try:
                    while not owner.cut.is_set():
                        f = owner.frames[i % len(owner.frames)]
                        i += 1
                        self.wfile.write(
                            b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: "
                            + str(len(f)).encode()
                            + b"\r\n\r\n"
                            + f
                            + b"\r\n"
                        )
                        time.sleep(0.04)
                except OSError:
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.cut.clear()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.cut.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
