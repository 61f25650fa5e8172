from typing import Literal

EventActorOutKind = Literal['key', 'system', 'user']

EVENT_ACTOR_OUT_KIND_VALUES: set[EventActorOutKind] = { 'key', 'system', 'user',  }

def check_event_actor_out_kind(value: str) -> EventActorOutKind:
    if value in EVENT_ACTOR_OUT_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {EVENT_ACTOR_OUT_KIND_VALUES!r}")
