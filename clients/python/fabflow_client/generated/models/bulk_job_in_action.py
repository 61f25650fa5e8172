from typing import Literal

BulkJobInAction = Literal['add_tag', 'confirm', 'reject', 'remove_tag', 'retry', 'skip', 'start_flow']

BULK_JOB_IN_ACTION_VALUES: set[BulkJobInAction] = { 'add_tag', 'confirm', 'reject', 'remove_tag', 'retry', 'skip', 'start_flow',  }

def check_bulk_job_in_action(value: str) -> BulkJobInAction:
    if value in BULK_JOB_IN_ACTION_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {BULK_JOB_IN_ACTION_VALUES!r}")
