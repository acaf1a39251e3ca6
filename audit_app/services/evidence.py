"""Evidence flags for the reviewer: they inform, they never reject a visit."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def flags_for(
    *,
    checkin: dict | None,
    branch: tuple[float | None, float | None],
    clock_offset_s: float | None,
    started_at: datetime,
    window: tuple[datetime, datetime] | None,
    max_distance_m: float,
    max_skew_s: float,
    reused_photos: Sequence[tuple[str, int]] = (),
) -> list[dict[str, str]]:
    """Return the evidence flags of one visit, each {"code", "message"}."""
    flags = []
    lat, lon = branch
    if checkin and lat is not None and lon is not None:
        far = distance_m(checkin["latitude"], checkin["longitude"], lat, lon)
        accuracy = checkin.get("accuracy_m") or 0
        if far - accuracy > max_distance_m:
            flags.append(
                {
                    "code": "far_from_branch",
                    "message": f"checked in {far:,.0f} m from the branch "
                    f"(accuracy {accuracy:,.0f} m)",
                }
            )
    if clock_offset_s is not None and abs(clock_offset_s) > max_skew_s:
        flags.append(
            {
                "code": "device_clock",
                "message": f"the phone's clock was {clock_offset_s / 60:+.0f} min off the server's",
            }
        )
    if window is not None and not window[0] <= started_at <= window[1]:
        flags.append(
            {
                "code": "outside_window",
                "message": f"started {started_at:%Y-%m-%d %H:%M} UTC, outside the "
                f"assignment window {window[0]:%Y-%m-%d %H:%M} - "
                f"{window[1]:%Y-%m-%d %H:%M}",
            }
        )
    for item_id, other_visit in reused_photos:
        flags.append(
            {
                "code": "photo_reused",
                "message": f"the photo for '{item_id}' is the same image as one in "
                f"visit {other_visit}",
            }
        )
    return flags
