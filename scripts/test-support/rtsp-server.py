#!/usr/bin/python3
"""Test support: a local RTSP server (GStreamer's gst-rtsp-server through python3-gi) on 127.0.0.1.

Usage: rtsp-server.py PORT USER PASSWORD
  rtsp://USER:PASSWORD@127.0.0.1:PORT/cam  a live test picture (MJPEG over RTP, 160x120, 10 fps);
  without the login (or with another) the server answers RTSP 401 Unauthorized
Prints "READY" on stdout once it listens; runs until killed. Debian packages:
python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

PIPELINE = (
    "( videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=160,height=120,framerate=10/1 "
    "! jpegenc quality=60 ! rtpjpegpay name=pay0 pt=26 )"
)


def factory(*roles):
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch(PIPELINE)
    f.set_shared(True)
    for role in roles:
        s = Gst.Structure.from_string(
            f"{role}, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
        )[0]
        f.add_role_from_structure(s)
    return f


def main():
    port, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)
    auth = GstRtspServer.RTSPAuth()
    member = GstRtspServer.RTSPToken()
    member.set_string("media.factory.role", "user")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), member)
    server.set_auth(auth)
    mounts = server.get_mount_points()
    mounts.add_factory("/cam", factory("user"))
    if server.attach(None) == 0:
        print("FAILED to listen", flush=True)
        sys.exit(1)
    print("READY", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
