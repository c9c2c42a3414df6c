# -*- coding: utf-8 -*-
# Copyright: d2l.brightspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ensure engine: one path for every resource a module (or, later, a catalog) manages.

    find by natural key -> normalise -> compare only the options the user gave
    -> create / update / delete / nothing

``Resource`` declares a kind of thing (implemented per API family); ``Ensure`` runs one. The
engine imports nothing from Ansible: it works on any ``context`` with ``params``, ``client``,
``check_mode``, ``_diff`` and ``warn()`` (``module.BrightspaceModule`` is one), so it can run one
resource for a module or many in threads.
"""

from __future__ import annotations

from .errors import (BrightspaceError, BrightspaceHTTPError, NotFoundError, UncertainWriteError, UnknownIdError,
                     ValidationError)


class Resource:
    """A kind of thing the API manages, declared by a module and implemented in module_utils.

    Subclasses set ``label`` (for messages), ``result_key`` (the key of the returned state),
    ``compare`` (option names compared with the current state), ``immutable`` (options that
    cannot change after creation, with the reason) and implement ``desired``, ``find``,
    ``normalize``, ``create``, ``update``, ``delete``. ``desired`` returns only the options the
    user gave, normalised the way ``normalize`` presents the current state, so the two compare.
    """

    label = "resource"
    result_key = "resource"
    compare = ()
    immutable = {}
    required_to_create = ()
    key = None  # the option that holds the natural key (code, name, title, or an id)
    lock_scope = ()  # further options that make the natural key unique (an org unit's type, ...)

    def __init__(self, module):
        self.module = module
        self.client = module.client

    def desired(self):
        raise NotImplementedError

    def find(self):
        raise NotImplementedError

    def normalize(self, raw):
        raise NotImplementedError

    def create(self, desired):
        raise NotImplementedError

    def update(self, raw, changes, desired):
        raise NotImplementedError

    def delete(self, raw):
        raise NotImplementedError

    def same(self, name, before, wanted):
        """Whether option ``name`` already has the ``wanted`` value in the ``before`` state."""
        return _same(before.get(name), wanted)

    def lock_key(self):
        """What processes ensuring this same resource take turns on (``caches.KeyLocks``), or
        None. Codes compare case-insensitively at the service, so the key is case-folded."""
        params = self.module.params
        key = getattr(self, "key", None)
        if not key or params.get(key) is None:
            return None
        parts = ["%s=%s" % (name, params.get(name)) for name in self.lock_scope] + ["%s=%s" % (key, params[key])]
        return " ".join(parts).casefold()

    def preview(self, desired):
        """The predicted state of a new resource in check mode."""
        after = dict((name, None) for name in self.compare)
        after.update(desired)
        after["id"] = None
        return after


def _same(current, wanted):
    if isinstance(wanted, list) and isinstance(current, list):
        return sorted(current, key=str) == sorted(wanted, key=str)
    return current == wanted


class Ensure:
    """One run of the ensure path (kept apart so each step reads as a sentence)."""

    CREATE_ATTEMPTS = 3

    def __init__(self, module, resource):
        self.module = module
        self.resource = resource
        self.check = module.check_mode

    def run(self):
        desired = self.resource.desired()
        if self.check:  # nothing is written: no need to take turns
            return self.converge(desired)
        locks = getattr(self.resource.client, "locks", None)
        if locks is None:
            return self.converge(desired)
        with locks.hold(type(self.resource).__name__, self.resource.lock_key()):
            return self.converge(desired)

    def converge(self, desired):
        state = self.module.params.get("state") or "present"
        raw = self.resource.find()
        before = self.resource.normalize(raw) if raw is not None else None
        if state == "absent":
            if before is None:
                return self.result(False, None, None)
            if not self.check:
                self.writing(self.resource.delete, raw)
            return self.result(True, before, None)
        if before is None:
            # an entry is an option name, or (key in desired, option name) when they differ
            required = [item if isinstance(item, tuple) else (item, item) for item in self.resource.required_to_create]
            missing = [option for key, option in required if desired.get(key) is None]
            if missing:
                raise ValidationError("%s %s does not exist; to create it, give %s" % (
                    self.resource.label, self.identity(), ", ".join(missing)))
            if self.check:
                return self.result(True, None, self.resource.preview(desired))
            try:
                return self.result(True, None, self.resource.normalize(self.writing(self.create, desired)))
            except BrightspaceHTTPError as exc:
                raw = self.created_meanwhile(exc)
            before = self.resource.normalize(raw)
        changes = dict((name, value) for name, value in desired.items()
                       if name in self.resource.compare and not self.resource.same(name, before, value))
        for name in changes:
            if name in self.resource.immutable:
                raise ValidationError("%s %s: %s cannot change from %r to %r: %s" % (
                    self.resource.label, self.identity(), name, before.get(name), changes[name],
                    self.resource.immutable[name]))
        if not changes:
            return self.result(False, before, before)
        after = dict(before)
        after.update(changes)
        if not self.check:
            updated = self.writing(self.resource.update, raw, changes, desired)
            if updated is not None:
                after = self.resource.normalize(updated)
        return self.result(True, before, after)

    def writing(self, step, *args):
        """Run a step that writes. NOTE: when it fails after one of its writes was accepted (a 2xx
        answer to a POST, PUT or DELETE) or may have been (an ambiguous failure: 5xx, a dropped
        connection), the failure reports ``changed: true``: the service may hold a change, as a
        failed LR publish after its upload, or a create whose follow-up update failed."""
        sent = getattr(self.resource.client, "sent", None)
        mark = len(sent) if isinstance(sent, list) else None
        try:
            return step(*args)
        except BrightspaceError as exc:
            accepted = mark is not None and any(method not in ("GET", "HEAD") and status < 400
                                                for method, _route, status in sent[mark:])
            if accepted or getattr(exc, "ambiguous", False) or isinstance(exc, UncertainWriteError):
                result = exc.result if isinstance(getattr(exc, "result", None), dict) else {}
                result["changed"] = True
                exc.result = result
            raise

    def create(self, desired):
        """Create; after an ambiguous failure (5xx, dropped connection) look before trying again."""
        for attempt in range(self.CREATE_ATTEMPTS):
            try:
                return self.resource.create(desired)
            except BrightspaceError as exc:
                if not getattr(exc, "ambiguous", False) or attempt + 1 == self.CREATE_ATTEMPTS:
                    raise
                found = self.resource.find()
                if found is not None:
                    return found
        raise BrightspaceError("unreachable")  # pragma: no cover

    def created_meanwhile(self, exc):
        """A create refused as a conflict (400 or 409): another run (another controller, or a
        process that took no lock) created the resource since it was looked up. Read it again;
        when it is there, it is treated as present (and updated to what was asked), not a
        failure. Otherwise the refusal was about something else and is raised."""
        if exc.status not in (400, 409):
            raise exc
        raw = self.resource.find()
        if raw is None:
            raise exc
        return raw

    def identity(self):
        key = getattr(self.resource, "key", None)
        value = self.module.params.get(key) if key else None
        return "'%s'" % value if value is not None else ""

    def result(self, changed, before, after):
        result = {"changed": changed, self.resource.result_key: after if after is not None else {},
                  "created": changed and before is None and after is not None}
        if self.module._diff:  # pylint: disable=protected-access
            result["diff"] = {"before": before or {}, "after": after or {}}
        return result


def predicted(module, resolve, given):
    """``resolve()`` for a check-mode preview; when a reference by code names nothing yet, a
    warning and ``given`` as it is: an earlier task of the same play would create it (a
    semester, a department, a template). An id names what exists now, so nothing earlier can
    create it: an unknown id still fails."""
    try:
        return resolve()
    except UnknownIdError:
        raise
    except NotFoundError as exc:
        module.warn("%s; in check mode this is expected when an earlier task creates it" % exc)
        return given
