"""Properties of the two decoders that face untrusted bytes first (issue 13): the update bound
accepts whatever pycrdt makes, refuses everything else only with its declared error, never hangs,
and whatever it accepts pycrdt applies without crashing; the awareness decoder raises only its
declared errors, however deep or odd the JSON."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pycrdt import Array, Doc, Map, Text

from server.protocol import messages as wire
from server.protocol.update_bounds import UpdateRefused, check_update
from server.sync.guard import Guard

FEW = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

scalars = (st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False)
           | st.text(max_size=8))
values = st.recursive(
    scalars | st.binary(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12,
)
edits = st.lists(
    st.tuples(st.sampled_from(["set", "map", "push", "text", "format", "delete"]), st.text(max_size=4), values),
    min_size=1, max_size=12,
)


def make_updates(steps: list[tuple[str, str, object]]) -> list[bytes]:
    """Apply random edits to a pycrdt document; return each step's update and the whole state."""
    doc = Doc()
    doc["m"], doc["a"], doc["t"] = Map(), Array(), Text()
    m, a, t = doc.get("m", type=Map), doc.get("a", type=Array), doc.get("t", type=Text)
    updates = []
    for op, key, value in steps:
        before = doc.get_state()
        if op == "set":
            m[key] = value
        elif op == "map":
            m[key] = Map({"v": value, "inner": Map({"w": Array([value])})})
        elif op == "push":
            a.append(value)
        elif op == "text":
            t.insert(len(t) // 2, key or "x")
        elif op == "format" and len(t):
            t.format(0, len(t), {key or "b": value if not isinstance(value, bytes) else True})
        elif op == "delete" and len(a):
            del a[0]
        updates.append(doc.get_update(before))
    return updates + [doc.get_update()]


@FEW
@given(edits)
def test_every_update_made_by_pycrdt_from_random_edits_is_accepted(steps):
    for update in make_updates(steps):
        check_update(update)


mutation = st.tuples(
    st.sampled_from(["flip", "insert", "delete", "truncate"]), st.integers(0, 10**6), st.integers(0, 255))


def mutate(update: bytes, how: list[tuple[str, int, int]]) -> bytes:
    data = bytearray(update)
    for kind, at, byte in how:
        at = at % (len(data) + 1)
        if kind == "flip" and at < len(data):
            data[at] = byte
        elif kind == "insert":
            data[at:at] = bytes([byte])
        elif kind == "delete":
            del data[at:at + 1]
        elif kind == "truncate":
            del data[at:]
    return bytes(data)


@FEW
@given(edits, st.lists(mutation, min_size=1, max_size=4))
def test_mutated_updates_are_refused_only_as_declared_and_whatever_is_accepted_pycrdt_survives(steps, how):
    for update in make_updates(steps)[-2:]:
        broken = mutate(update, how)
        try:
            check_update(broken)
        except UpdateRefused:
            continue
        try:  # accepted: pycrdt may refuse it (an exception), but must not crash the process
            Doc().apply_update(broken)
        except BaseException as exc:  # pycrdt raises Rust panics as PanicException, a BaseException
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise


@FEW
@given(st.binary(max_size=64))
def test_random_bytes_are_refused_only_as_declared(data):
    try:
        check_update(data)
    except UpdateRefused:
        pass


# --- awareness ----------------------------------------------------------------------------------

json_ish = st.text(alphabet='[]{}" ,:nul0123\\-.eE\ud800a', max_size=40)
deep = st.builds(lambda n, open_, close: open_ * n + close * n, st.integers(0, 5000),
                 st.sampled_from(["[", '{"a":', " [ "]), st.sampled_from(["]", "}", ""]))
odd = st.sampled_from(
    [" null", "null ", "\tnull\n", "{}", ' {"user": {"color": "\\udc00"}} ', '"s"', "1", "[]", "1e999"])


@FEW
@given(st.lists(st.tuples(st.integers(0, 2**32), st.integers(0, 2**20), json_ish | deep | odd), max_size=3))
def test_awareness_states_decode_or_are_refused_as_invalid_and_what_decodes_can_be_relayed(entries):
    texts = [(c, k, s.encode("utf-8", "surrogatepass").decode("utf-8", "replace")) for c, k, s in entries]
    payload = wire.encode_awareness_entries([wire.AwarenessEntry(c, k, s) for c, k, s in texts])
    try:
        decoded = wire.decode_awareness(payload)
    except wire.InvalidPayload:
        return
    user = SimpleNamespace(id=1, name="Ann")
    for entry in decoded:
        assert entry.state == "null" or entry.state.lstrip().startswith("{")
        own = Guard().presence(user, [entry])
        if own is not None:
            wire.encode_awareness(wire.encode_awareness_entries([own]))


@FEW
@given(st.binary(max_size=64))
def test_random_awareness_bytes_are_refused_only_as_declared(data):
    try:
        wire.decode_awareness(data)
    except (wire.MalformedMessage, wire.InvalidPayload):
        pass
