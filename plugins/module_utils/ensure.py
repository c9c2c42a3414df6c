# -*- coding: utf-8 -*-
# Copyright (c) d2l.brightspace contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The ensure engine: one path for every resource a module (or, later, a catalog) manages.

    plan:  find by natural key -> related reads -> normalise -> compare only the options the
           user gave (the cheap ones, then the expensive ones) -> a Plan: create / update /
           delete / nothing, with before and after
    apply: the plan's writes (none in check mode) -> the result

``Resource`` declares a kind of thing (implemented per API family); ``Ensure`` runs one. The
engine imports nothing from Ansible: it works on any ``context`` with ``params``, ``client``,
``check_mode``, ``_diff`` and ``warn()`` (``module.BrightspaceModule`` is one), so it can run one
resource for a module or many in threads.
"""

from __future__ import annotations

from .errors import (BrightspaceError, BrightspaceHTTPError, NotFoundError, UncertainWriteError, UnknownIdError,
                     ValidationError)


class Declared:
    """What a module declares in module_utils (a ``Resource`` or a ``jobs.Job``): bound to the
    running context (``module``: ``params``, ``client``, ``check_mode``, ``_diff``, ``warn()``)."""

    def __init__(self, module):
        self.module = module
        self.client = module.client


class Resource(Declared):
    """A kind of thing the API manages, declared by a module and implemented in module_utils.

    Declarations: ``label`` (for messages), ``result_key`` (the key of the returned state),
    ``key`` (the option holding the natural key) and ``lock_scope``, ``compare`` (option names
    compared with the current state), ``expensive`` (those among them that cost a request or a
    download to observe, compared only after the cheap ones), ``immutable`` (options that cannot
    change after creation, with the reason) and ``required_to_create``.

    Hooks, none of which keeps state on ``self`` between steps:

    - ``desired()``: only the options the user gave, normalised the way ``normalize`` presents
      the current state, so the two compare; ``required(desired)``: what a create needs.
    - ``find()``: the service's block by natural key, or None; ``related(raw)``: the reads that
      go with it (an org unit's parents), as a dict, ``{}`` by default.
    - ``normalize(raw, related)``: the module's view; ``same(name, before, wanted, related)``:
      one cheap comparison, without side effects; ``observe(name, before, raw, related)``: the
      current value of an ``expensive`` option (a content checksum), run by the engine once
      the cheap comparisons are done, recorded in ``before``.
    - ``preview(desired)``: the predicted state of a new resource in check mode.
    - ``create(desired)`` and ``update(raw, changes, desired, related)`` write and return the
      new block, or ``(block, related)``; ``delete(raw)``.
    - ``find_removed(state)``: when ``find()`` found nothing, a removed one that can still be
      brought back (an org unit in the recycle bin) when the task would act on it (restore it for
      ``present``, delete it for good for ``absent``), or None; ``restore(raw)`` brings it back
      and returns the live block; ``refused_create(exc)`` explains a create the service refused
      while nothing has the key (a removed one holding it), or raises ``exc``.
    - ``preserved`` (with ``derived``: option -> the fields that change with it): the fields of
      the state an update must leave as they were unless the task changes them. An update is
      read back, and one that lost such a field fails, naming it (``lost``): a full-replace
      write that clears what the task did not name is never reported as a success.
    """

    label = "resource"
    result_key = "resource"
    compare = ()
    expensive = ()
    immutable = {}
    required_to_create = ()
    key = None  # the option that holds the natural key (code, name, title, or an id)
    lock_scope = ()  # further options that make the natural key unique (an org unit's type, ...)
    preserved = ()  # fields an update keeps unless the task changes them (checked on the read-back)
    derived = {}  # option -> further fields that change with it (a description's HTML form)

    def desired(self):
        raise NotImplementedError

    def required(self, desired):
        """What a create needs: option names, or (key in desired, option name) where they differ."""
        return self.required_to_create

    def find(self):
        raise NotImplementedError

    def related(self, raw):
        return {}

    def normalize(self, raw, related):
        raise NotImplementedError

    def create(self, desired):
        raise NotImplementedError

    def update(self, raw, changes, desired, related):
        raise NotImplementedError

    def delete(self, raw):
        raise NotImplementedError

    def find_removed(self, state):
        """A removed resource with this key that the task acts on, or None (the default: a
        removal is final, or this resource has no such place)."""
        return None

    def restore(self, raw):
        raise NotImplementedError

    def refused_create(self, exc):
        """Explain a create refused while ``find()`` finds nothing; by default ``exc`` itself."""
        raise exc

    def outcome(self, plan):
        """Further keys of the result of ``plan`` (how a removal was made), ``{}`` by default."""
        return {}

    def lost(self, before, after, changes):
        """``[(field, before, after)]``: the ``preserved`` fields an update changed that the task
        did not ask to change (compared only where both states have the field)."""
        covered = set(changes)
        for name in changes:
            covered.update(self.derived.get(name, ()))
        return [(name, before.get(name), after.get(name)) for name in self.preserved
                if name not in covered and name in before and name in after
                and not _same(after.get(name), before.get(name))]

    def same(self, name, before, wanted, related):
        """Whether option ``name`` already has the ``wanted`` value in the ``before`` state."""
        return _same(before.get(name), wanted)

    def observe(self, name, before, raw, related):
        """The current value of the ``expensive`` option ``name``, or None when it is not
        observed this run (``same`` then decides without it)."""
        raise NotImplementedError

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


def _written(answer, related):
    """A write's answer: the block, or (block, related)."""
    if isinstance(answer, tuple):
        return answer
    return answer, related


CREATE, UPDATE, DELETE, RESTORE, NOTHING = "create", "update", "delete", "restore", "nothing"


class Plan:
    """What ensuring one resource does: ``action`` (create, update, delete, restore or nothing),
    ``before`` and ``after`` (the predicted state; None for a create outside check mode, where
    the service's answer gives it), ``changes`` (option → wanted value), and what applying it
    needs (``raw``, ``related``, ``desired``). Planning reads and never writes. A ``restore`` brings
    a removed resource (``related["removed"]``) back, then makes ``changes``; a ``delete`` of a
    removed one removes it for good."""

    __slots__ = ("action", "before", "after", "changes", "raw", "related", "desired")

    def __init__(self, action, before=None, after=None, changes=None, raw=None, related=None, desired=None):
        self.action = action
        self.before = before
        self.after = after
        self.changes = changes or {}
        self.raw = raw
        self.related = related or {}
        self.desired = desired or {}

    @property
    def changed(self):
        return self.action != NOTHING

    def __repr__(self):
        return "Plan(%s, changes=%r)" % (self.action, sorted(self.changes))


class Ensure:
    """One resource ensured: ``plan()`` reads and decides, ``apply(plan)`` writes (nothing in
    check mode) and returns the result; ``run()`` does both, taking turns with other processes
    ensuring the same natural key."""

    CREATE_ATTEMPTS = 3
    # a catalog applying an approved plan: a create that meets one made meanwhile fails rather
    # than updating it (an update nobody planned)
    exact = False

    def __init__(self, module, resource):
        self.module = module
        self.resource = resource
        self.check = module.check_mode

    def run(self, decide=None):
        """Plan and apply; ``decide(plan)`` may change the plan in between (a catalog's CSV
        CREATE row leaves an existing resource as it is)."""
        desired = self.resource.desired()
        decide = decide or (lambda plan: plan)
        if self.check:  # nothing is written: no need to take turns
            return self.apply(decide(self.plan(desired)))
        locks = getattr(self.resource.client, "locks", None)
        if locks is None:
            return self.apply(decide(self.plan(desired)))
        with locks.hold(type(self.resource).__name__, self.resource.lock_key()):
            return self.apply(decide(self.plan(desired)))

    # -- planning: reads only -------------------------------------------------------------
    def plan(self, desired=None):
        if desired is None:
            desired = self.resource.desired()
        state = self.module.params.get("state") or "present"
        raw = self.resource.find()
        if raw is None:
            removed = self.resource.find_removed(state)
            if removed is not None:
                related = {"removed": True}
                before = self.resource.normalize(removed, related)
                if state == "absent":  # removed already: removed for good now
                    return Plan(DELETE, before, None, raw=removed, related=related, desired=desired)
                return self.plan_restore(removed, related, before, desired)
            if state == "absent":
                return Plan(NOTHING, desired=desired)
            self.check_required(desired)
            after = self.resource.preview(desired) if self.check else None
            return Plan(CREATE, None, after, desired=desired)
        related = self.resource.related(raw)
        before = self.resource.normalize(raw, related)
        if state == "absent":
            return Plan(DELETE, before, None, raw=raw, related=related, desired=desired)
        return self.plan_update(raw, related, before, desired)

    def plan_update(self, raw, related, before, desired):
        resource = self.resource
        wanted = dict((name, value) for name, value in desired.items() if name in resource.compare)
        changes = dict((name, value) for name, value in wanted.items()
                       if name not in resource.expensive and not resource.same(name, before, value, related))
        for name in resource.expensive:  # only once the cheap comparisons are done
            if name in wanted:
                observed = resource.observe(name, before, raw, related)
                if observed is not None:  # None: not observed (the resource's same() decides)
                    before = dict(before)
                    before[name] = observed
                if not resource.same(name, before, wanted[name], related):
                    changes[name] = wanted[name]
        for name in changes:
            if name in resource.immutable:
                raise ValidationError("%s %s: %s cannot change from %r to %r: %s" % (
                    resource.label, self.identity(), name, before.get(name), changes[name], resource.immutable[name]))
        if not changes:
            return Plan(NOTHING, before, before, raw=raw, related=related, desired=desired)
        after = dict(before)
        after.update(changes)
        return Plan(UPDATE, before, after, changes, raw, related, desired)

    def plan_restore(self, raw, related, before, desired):
        """Bring a removed resource back, then make it what the task asks. The removed state
        is partial (the recycle bin answers an org unit's properties), so ``changes`` is what
        differs from it as far as it shows; once restored, the live state is compared again
        (immutable options too) before anything more is written."""
        resource = self.resource
        changes = dict((name, value) for name, value in desired.items()
                       if name in resource.compare and name not in resource.expensive and name not in resource.immutable
                       and not resource.same(name, before, value, related))
        after = dict(before)
        after.update(changes)
        return Plan(RESTORE, before, after, changes, raw, related, desired)

    def check_required(self, desired):
        required = [item if isinstance(item, tuple) else (item, item) for item in self.resource.required(desired)]
        missing = [option for key, option in required if desired.get(key) is None]
        if missing:
            raise ValidationError("%s %s does not exist; to create it, give %s" % (
                self.resource.label, self.identity(), ", ".join(missing)))

    # -- applying: the writes ---------------------------------------------------------------
    def apply(self, plan):
        if plan.action == NOTHING:
            return self.result(False, plan.before, plan.after)
        result = self.applied(plan)
        result.update(self.resource.outcome(plan))
        return result

    def applied(self, plan):
        if self.check:
            result = self.result(True, plan.before, plan.after)
            if plan.action == RESTORE:
                result["restored"] = True
            return result
        if plan.action == DELETE:
            self.writing(self.resource.delete, plan.raw)
            return self.result(True, plan.before, None)
        if plan.action == RESTORE:
            raw = self.writing(self.resource.restore, plan.raw)
            try:
                related = self.resource.related(raw)
                again = self.plan_update(raw, related, self.resource.normalize(raw, related), plan.desired)
                result = self.apply(again) if again.changed else self.result(True, plan.before, again.before)
            except BrightspaceError as exc:  # restored, then refused: the restore stays, and is a change
                partial = exc.result if isinstance(getattr(exc, "result", None), dict) else {}
                partial.update(changed=True, restored=True)
                exc.result = partial
                raise
            result.update(changed=True, created=False, restored=True)
            if self.module._diff:  # pylint: disable=protected-access
                result["diff"]["before"] = plan.before or {}
            return result
        if plan.action == CREATE:
            try:
                raw, related = _written(self.writing(self.create, plan.desired), {})
            except BrightspaceHTTPError as exc:
                raw = self.created_meanwhile(exc)
                if self.exact:
                    raise BrightspaceError("%s %s was created by someone else since this run planned to create it, "
                                           "so it was left as it is; run again to plan it anew"
                                           % (self.resource.label, self.identity()))
                related = self.resource.related(raw)
                again = self.plan_update(raw, related, self.resource.normalize(raw, related), plan.desired)
                return self.apply(again)
            return self.result(True, None, self.resource.normalize(raw, related))
        updated = self.writing(self.resource.update, plan.raw, plan.changes, plan.desired, plan.related)
        after = plan.after
        if updated is not None:
            raw, related = _written(updated, plan.related)
            after = self.resource.normalize(raw, related)
            for name in self.resource.expensive:  # observed, not read back: what was written
                if name in plan.after:
                    after[name] = plan.after[name]
            self.check_kept(plan, after)
        return self.result(True, plan.before, after)

    def check_kept(self, plan, after):
        """An update that lost a field the task did not name fails (``changed: true``, the state
        read back): the service cleared or changed what the write should have kept."""
        lost = self.resource.lost(plan.before, after, plan.changes)
        if lost:
            error = BrightspaceError("%s %s: the update was accepted, but the service changed what the task did not "
                                     "ask to change: %s; set them again (give the options) and report this service "
                                     "behaviour" % (self.resource.label, self.identity(), "; ".join(
                                         "%s from %r to %r" % item for item in lost)))
            error.result = self.result(True, plan.before, after)
            raise error

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
                    return found, self.resource.related(found)
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
            self.resource.refused_create(exc)  # a removed one may hold the key: it says so
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
    create it: an unknown id still fails.

    A catalog knows more (its context's ``planned(type_name, code)``): a code an earlier level of
    the same catalog creates is expected, with no warning; any other, when the run is to write
    (``strict_references``), fails the item now rather than its create later."""
    try:
        return resolve()
    except UnknownIdError:
        raise
    except NotFoundError as exc:
        planned = getattr(module, "planned", None)
        if planned is not None and planned(exc.details.get("type_name"), exc.details.get("code")):
            return given
        if getattr(module, "strict_references", False):
            raise
        module.warn("%s; in check mode this is expected when an earlier task creates it" % exc)
        return given
