# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``python -m brightspace_emulator --host 127.0.0.1 --port 8080 [options]``."""
from __future__ import annotations

import argparse

from .app import create_app
from .config import IMPORT_ROUTE_CHOICES, RECYCLED_CODE_CHOICES, Config
from .server import make_server


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="brightspace_emulator",
                                description="D2L Brightspace API emulator")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--job-duration", type=float, default=2.0,
                   help="seconds a job takes to reach its final status (default 2)")
    p.add_argument("--token-lifetime", type=int, default=3600,
                   help="lifetime in seconds of access tokens from /core/connect/token")
    p.add_argument("--rate-limit", type=int, default=50000,
                   help="credits per window per application (a call costs 10)")
    p.add_argument("--rate-window", type=float, default=60.0,
                   help="seconds of a rate-limit window, from a bucket's first call (default 60)")
    p.add_argument("--state-file", default=None,
                   help="JSON file written on every mutation and loaded at start")
    p.add_argument("--upload-dir", default=None,
                   help="directory for upload data (default: <state-file>.uploads or a temp dir)")
    p.add_argument("--upload-ttl", type=float, default=3600.0,
                   help="seconds an upload may stay unattached after its last activity before it "
                        "is purged (default 3600)")
    p.add_argument("--artifact-update-replaces-content", action="store_true",
                   help="POST eP artifact/file/(id) with a new UploadKey also replaces the file "
                        "artifact's content (default: only its properties change)")
    p.add_argument("--import-routes", choices=IMPORT_ROUTE_CHOICES, default="both",
                   help="course import routes served: under le/unstable, under a numbered le "
                        "version, or both (default)")
    p.add_argument("--recycled-codes", choices=RECYCLED_CODE_CHOICES, default="reserved",
                   help="whether an org unit in the recycle bin keeps its code reserved "
                        "(default) or frees it for new org units")
    p.add_argument("--log-level", default="info")
    return p.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    config = Config(host=args.host, port=args.port, job_duration=args.job_duration,
                    token_lifetime=args.token_lifetime, rate_limit=args.rate_limit,
                    rate_window=args.rate_window,
                    state_file=args.state_file, upload_dir=args.upload_dir,
                    upload_ttl=args.upload_ttl,
                    artifact_update_replaces_content=args.artifact_update_replaces_content,
                    import_routes=args.import_routes, recycled_codes=args.recycled_codes)
    app = create_app(config)
    make_server(app, args.host, args.port, args.log_level).run()


if __name__ == "__main__":
    main()
