"""Photos and evidence flags for the demo data, so a new user sees them on every page.

It draws from its own random stream: the demo's visits and scores are the same with or
without it. Everything goes through the real services: photos are stored by
`store_photo` (re-encoded, thumbnailed) and linked when the visit is submitted, and the
flags are the ones `submit_visit` computes (a check-in far from the branch, a photo that
is the same image as one in another visit).
"""

from __future__ import annotations

import io
import random
import uuid
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from ..checklists.model import Checklist, PhotoRule
from ..models import User
from .photos import store_photo

PHOTO_RATE = 0.35  # visits with a photo (of a standard that allows one)
REUSE_EVERY = 30  # every 30th photo is the same image as the one before (a reused photo)
FAR_RATE = 0.03  # visits checked in about 2 km from the branch
FAR_DEGREES = 0.02  # of latitude: about 2.2 km
PREFERENCE = {PhotoRule.REQUIRED: 0, PhotoRule.OPTIONAL: 1}


@dataclass
class DemoEvidence:
    rng: random.Random
    last_image: bytes | None = None
    photos: int = field(default=0)

    @classmethod
    def seeded(cls, seed: int) -> DemoEvidence:
        return cls(random.Random(f"demo-evidence-{seed}"))

    def add(self, payload: dict, checklist: Checklist, shopper: User) -> None:
        """Maybe move the check-in away and attach a photo (stored now) to the payload."""
        if self.rng.random() < FAR_RATE and payload.get("checkin"):
            payload["checkin"] = {
                **payload["checkin"],
                "latitude": payload["checkin"]["latitude"] + FAR_DEGREES,
            }
        if self.rng.random() >= PHOTO_RATE:
            return
        # the standards that ask for a photo first, then those that allow one
        items = [item for _, item in checklist.items() if item.photo in PREFERENCE]
        items.sort(key=lambda item: PREFERENCE[item.photo])
        answers = {a["item_id"]: a for a in payload["answers"]}
        targets = [answers[i.id] for i in items if i.id in answers and not answers[i.id]["na"]]
        if not targets:
            return
        reuse = self.last_image is not None and self.photos % REUSE_EVERY == REUSE_EVERY - 1
        data = self.last_image if reuse else self._image(payload)
        photo, _ = store_photo(shopper, uuid.UUID(int=self.rng.getrandbits(128), version=4), data)
        targets[0]["photos"] = [photo.client_uuid]
        self.last_image = data
        self.photos += 1

    def _image(self, payload: dict) -> bytes:
        """A shop-counter-like picture: a wall, shelves with goods, a caption."""
        rng = self.rng
        image = Image.new("RGB", (800, 600), _colour(rng, 170, 235))
        draw = ImageDraw.Draw(image)
        for shelf in range(3):
            top = 90 + shelf * 150
            draw.rectangle((40, top + 100, 760, top + 115), fill=_colour(rng, 80, 140))
            x = 50
            while x < 740:
                width = rng.randint(30, 70)
                height = rng.randint(40, 95)
                draw.rectangle((x, top + 100 - height, x + width, top + 100), fill=_colour(rng))
                x += width + rng.randint(4, 14)
        caption = f"Demo photo · {payload['started_at']:%Y-%m-%d %H:%M} UTC"
        draw.rectangle((0, 550, 800, 600), fill=(30, 36, 51))
        draw.text((16, 566), caption, fill=(255, 255, 255))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        return out.getvalue()


def _colour(rng: random.Random, low: int = 30, high: int = 230) -> tuple[int, int, int]:
    return (rng.randint(low, high), rng.randint(low, high), rng.randint(low, high))
