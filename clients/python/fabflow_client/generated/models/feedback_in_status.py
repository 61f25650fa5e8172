from typing import Literal

FeedbackInStatus = Literal['failure', 'success']

FEEDBACK_IN_STATUS_VALUES: set[FeedbackInStatus] = { 'failure', 'success',  }

def check_feedback_in_status(value: str) -> FeedbackInStatus:
    if value in FEEDBACK_IN_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {FEEDBACK_IN_STATUS_VALUES!r}")
