"""The message funnel keeps messages until a sink is attached, then delivers them in order."""

from __future__ import annotations

from infusion_monitor.services.messages import Level, Message, MessageFunnel


def test_messages_wait_for_a_sink_then_arrive_in_order() -> None:
    funnel = MessageFunnel()
    funnel.info("one")
    funnel.error("two")
    received: list[Message] = []
    funnel.attach(received.append)
    funnel.warning("three")
    assert [(m.level, m.text) for m in received] == [
        (Level.INFO, "one"),
        (Level.ERROR, "two"),
        (Level.WARNING, "three"),
    ]


def test_after_detach_messages_are_kept_again() -> None:
    funnel = MessageFunnel()
    first: list[Message] = []
    funnel.attach(first.append)
    funnel.detach()
    funnel.info("later")
    second: list[Message] = []
    funnel.attach(second.append)
    assert first == []
    assert [m.text for m in second] == ["later"]
