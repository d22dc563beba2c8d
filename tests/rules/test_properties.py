"""Properties: monotone scores, symptoms never lower the class, determinism, incremental = full."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from infusion_monitor.domain.course import CourseAction
from infusion_monitor.domain.symptoms import SYMPTOMS
from infusion_monitor.domain.vitals import Acvpu, VitalSigns
from infusion_monitor.rules import news2
from infusion_monitor.rules.context import SessionContext
from infusion_monitor.rules.engine import assess
from infusion_monitor.rules.inputs import Patient
from infusion_monitor.rules.loader import default_rules
from infusion_monitor.rules.model import PRIORITY_RANK

RULES = default_rules()
MINUTE = 60


@st.composite
def vital_signs(draw: st.DrawFn, nullable: bool = True) -> VitalSigns:
    def maybe(strategy: st.SearchStrategy[int]) -> int | None:
        return draw(st.none() | strategy) if nullable else draw(strategy)

    sbp = draw(st.integers(60, 200))
    temp = draw(st.none() | st.integers(340, 410)) if nullable else draw(st.integers(340, 410))
    return VitalSigns(
        hr=maybe(st.integers(30, 180)),
        sbp=sbp,
        dbp=draw(st.integers(30, sbp - 1)),
        rr=maybe(st.integers(5, 40)),
        spo2=maybe(st.integers(80, 100)),
        temp_c=None if temp is None else temp / 10,
        on_oxygen=draw(st.booleans()),
        acvpu=draw(st.sampled_from(list(Acvpu))),
    )


patients = st.builds(
    Patient,
    age_years=st.sampled_from([0.5, 4, 12, 30, 70]),
    pregnant=st.booleans(),
    spo2_scale=st.sampled_from([1, 2]),
    prior_reaction_to_drug=st.booleans(),
)
minutes = st.integers(-5, 120)
observations = st.lists(st.tuples(minutes, vital_signs()), max_size=8)
symptoms = st.lists(
    st.tuples(st.sampled_from(sorted(SYMPTOMS)), minutes, st.none() | st.integers(0, 60)),
    max_size=6,
)
actions = st.lists(st.tuples(minutes, st.sampled_from(list(CourseAction))), max_size=6)
ends = st.none() | st.integers(0, 100)


def _sorted_entries(obs, syms, acts):
    obs = sorted(obs, key=lambda item: item[0])
    syms = sorted(((c, o, None if d is None else o + d) for c, o, d in syms), key=lambda s: s[1])
    acts = sorted(acts, key=lambda item: item[0])
    return obs, syms, acts


def full_context(patient, baseline, obs, syms, acts, end) -> SessionContext:
    context = SessionContext(RULES, patient, baseline)
    for t, vitals in obs:
        context.add_observation(t * MINUTE, vitals)
    for code, onset, resolved in syms:
        context.add_symptom(code, onset * MINUTE, None if resolved is None else resolved * MINUTE)
    for t, action in acts:
        context.add_action(t * MINUTE, action)
    if end is not None:
        context.end_infusion(end * MINUTE)
    return context


@settings(max_examples=150, deadline=None)
@given(patients, vital_signs(nullable=False), observations, symptoms, actions, ends, minutes)
def test_incremental_equals_from_scratch(patient, baseline, obs, syms, acts, end, at) -> None:
    obs, syms, acts = _sorted_entries(obs, syms, acts)
    stream: list[tuple[int, int, object]] = []
    stream += [(t, 0, ("obs", vitals)) for t, vitals in obs]
    stream += [(o, 1, ("sym", index, c)) for index, (c, o, _) in enumerate(syms)]
    stream += [(r, 2, ("res", index)) for index, (_, _, r) in enumerate(syms) if r is not None]
    stream += [(t, 3, ("act", a)) for t, a in acts]
    if end is not None:
        stream.append((end, 4, ("end",)))
    stream.sort(key=lambda item: (item[0], item[1]))
    live = SessionContext(RULES, patient, baseline)
    keys: dict[int, int] = {}
    for t, _, entry in stream:
        match entry:
            case ("obs", vitals):
                live.add_observation(t * MINUTE, vitals)
            case ("sym", index, code):
                keys[index] = live.add_symptom(code, t * MINUTE)
            case ("res", index):
                live.resolve_symptom(keys[index], t * MINUTE)
            case ("act", action):
                live.add_action(t * MINUTE, action)
            case _:
                live.end_infusion(t * MINUTE)
        assess(live, t * MINUTE)
    final = max([at, *(t for t, _, _ in stream)])
    fresh = full_context(patient, baseline, obs, syms, acts, end)
    assert assess(live, final * MINUTE) == assess(fresh, final * MINUTE)
    assert assess(live, at * MINUTE) == assess(fresh, at * MINUTE)


@settings(max_examples=100, deadline=None)
@given(patients, vital_signs(nullable=False), observations, symptoms, actions, ends, minutes)
def test_same_input_same_output(patient, baseline, obs, syms, acts, end, at) -> None:
    obs, syms, acts = _sorted_entries(obs, syms, acts)
    first = assess(full_context(patient, baseline, obs, syms, acts, end), at * MINUTE)
    second = assess(full_context(patient, baseline, obs, syms, acts, end), at * MINUTE)
    assert first == second and first.to_json("x") == second.to_json("x")


@settings(max_examples=150, deadline=None)
@given(
    patients,
    vital_signs(nullable=False),
    observations,
    symptoms,
    actions,
    st.sampled_from(sorted(SYMPTOMS)),
    minutes,
)
def test_adding_a_symptom_never_lowers_brown_or_priority(
    patient, baseline, obs, syms, acts, extra, at
) -> None:
    obs, syms, acts = _sorted_entries(obs, syms, acts)
    at = max(at, 0)
    before = assess(full_context(patient, baseline, obs, syms, acts, None), at * MINUTE)
    more = [*syms, (extra, at, None)]
    after = assess(full_context(patient, baseline, obs, more, acts, None), at * MINUTE)
    assert after.brown >= before.brown
    assert PRIORITY_RANK[after.priority] >= PRIORITY_RANK[before.priority]


def _worse(value: int, good_low: int, good_high: int) -> int:
    """One step further from the normal range [good_low, good_high]."""
    return value + 1 if value > (good_low + good_high) // 2 else value - 1


@given(st.integers(4, 60), st.integers(20, 250), st.integers(40, 300), st.integers(300, 440))
def test_worsening_a_vital_never_lowers_its_score(rr: int, hr: int, sbp: int, tenths: int) -> None:
    assert news2.score_rr(_worse(rr, 12, 20)) >= news2.score_rr(rr)
    assert news2.score_hr(_worse(hr, 51, 90)) >= news2.score_hr(hr)
    assert news2.score_sbp(_worse(sbp, 111, 219)) >= news2.score_sbp(sbp)
    worse_temp = _worse(tenths, 361, 380) / 10
    assert news2.score_temp(worse_temp) >= news2.score_temp(tenths / 10)


@given(st.integers(51, 100), st.sampled_from([1, 2]), st.booleans())
def test_lower_spo2_never_scores_less_on_air_or_scale1(spo2: int, scale: int, oxygen: bool) -> None:
    on_oxygen = oxygen and scale == 2 and spo2 <= 92
    lower = news2.score_spo2(spo2 - 1, scale=scale, on_oxygen=on_oxygen)
    assert lower >= news2.score_spo2(spo2, scale=scale, on_oxygen=on_oxygen)


@given(st.integers(93, 99))
def test_higher_spo2_on_oxygen_scale2_never_scores_less(spo2: int) -> None:
    higher = news2.score_spo2(spo2 + 1, scale=2, on_oxygen=True)
    assert higher >= news2.score_spo2(spo2, scale=2, on_oxygen=True)
