"""Status list indexes for a whole chunk of credentials at once.

Same rules as :class:`issuer.services.status.Allocation` (random indexes in the
issuer's open list, never reused, a full list closed and the next opened),
drawn many at a time: one query for the indexes in use, a random sample of
the free ones, one INSERT later. The unique ``(list, index)`` constraint still
guarantees an index is never handed out twice; a chunk that loses a race is
retried.

Chunks that run at the same time draw from different *lanes* (``index %
LANES``), so they practically never collide with each other; every lane
spans the whole list, so positions stay spread over all of it (BSL §6.4).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from issuer.models import Organization
from issuer.models import StatusEntry
from issuer.models import StatusList
from issuer.models import StatusPurpose
from issuer.models_endorsements import Endorsement
from issuer.services import status as status_service

#: Lanes chunks draw from (a chunk's lane is its number modulo this).
LANES = 64
_RANDOM = random.SystemRandom()


@dataclass(frozen=True)
class Slot:
    """One position handed out: the list (id, purpose, number) and the index in it."""

    list_id: int
    purpose: StatusPurpose
    number: int
    index: int


def lane_for(batch_id: str, chunk: int) -> int:
    """The lane of a chunk: consecutive chunks of a batch get different lanes."""
    return (int(batch_id.replace("-", "")[:8], 16) + chunk) % LANES


def _used(session: so.Session, sl: StatusList, lane: int | None) -> set[int]:
    """Indexes of ``sl`` taken by a credential or by an endorsement the issuer signed.

    An organisation that endorses (a partner) keeps its endorsements' positions in
    the same revocation list as its credentials; handing one of them to a
    credential would make revoking either revoke both.
    """
    credentials = sa.select(StatusEntry.index).where(StatusEntry.status_list_id == sl.id)
    endorsements = sa.select(Endorsement.status_index).where(
        Endorsement.status_list_id == sl.id)
    if lane is not None:
        credentials = credentials.where(StatusEntry.index % LANES == lane)
        endorsements = endorsements.where(Endorsement.status_index % LANES == lane)
    return set(session.scalars(sa.union_all(credentials, endorsements)))


def draw(session: so.Session, org: Organization, purpose: StatusPurpose, count: int, *,
         lane: int) -> list[Slot]:
    """``count`` distinct free positions for ``purpose``, in random order.

    Prefers the chunk's lane of the open list; when the lane runs short, any
    free index of the list; when the list runs out, it is marked full and the
    next one opened (in ``session``, which the caller commits).
    """
    out: list[Slot] = []
    while len(out) < count:
        sl = status_service.open_list(session, org, purpose)
        need = count - len(out)
        mine = {slot.index for slot in out if slot.list_id == sl.id}
        used = _used(session, sl, lane) | mine
        free = [i for i in range(lane, sl.length, LANES) if i not in used]
        if len(free) < need:
            used = _used(session, sl, None) | mine
            free = [i for i in range(sl.length) if i not in used]
            if len(free) <= need:
                out += [Slot(sl.id, purpose, sl.number, i)
                        for i in _RANDOM.sample(free, len(free))]
                session.execute(sa.update(StatusList).where(StatusList.id == sl.id)
                                .values(full=True))
                session.expire(sl)
                continue
        out += [Slot(sl.id, purpose, sl.number, i) for i in _RANDOM.sample(free, need)]
    return out
