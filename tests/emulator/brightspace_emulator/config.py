"""Runtime configuration of the emulator (CLI options plus the control API's /_emulator/config)."""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Optional


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 8080
    job_duration: float = 2.0  # seconds a job takes from creation to its final outcome
    token_lifetime: int = 3600  # seconds an access token issued by /core/connect/token lives
    rate_limit: int = 50000  # credits per window (a minute by default) per application
    rate_window: float = 60.0  # seconds of a rate-limit window (starts with the bucket's first call)
    state_file: Optional[str] = None  # JSON file written on every mutation, loaded at start
    upload_dir: Optional[str] = None  # where resumable-upload bytes go (default: a temp dir)
    clock_offset: float = 0.0  # seconds added to the server clock (ID-key skew, token expiry)

    # Keys the control API may change at run time.
    MUTABLE = ("job_duration", "token_lifetime", "rate_limit", "rate_window", "clock_offset")

    def copy(self) -> "Config":
        return dataclasses.replace(self)

    def now(self) -> float:
        """Server time in seconds (wall clock shifted by clock_offset)."""
        return time.time() + self.clock_offset

    def public(self) -> dict:
        return {
            "job_duration": self.job_duration,
            "token_lifetime": self.token_lifetime,
            "rate_limit": self.rate_limit,
            "rate_window": self.rate_window,
            "clock_offset": self.clock_offset,
            "state_file": self.state_file,
        }


# Request cost in credits (NOTES.md: "today 10").
REQUEST_COST = 10

# Product -> (latest, supported versions). Routes called with a version not listed answer 404.
API_VERSIONS = {
    "lp": ("1.47", [f"1.{n}" for n in range(40, 48)]),
    "le": ("1.74", [f"1.{n}" for n in range(65, 75)]),
    "eP": ("2.5", ["2.5"]),
    "lr": ("1.3", ["1.3"]),
}
