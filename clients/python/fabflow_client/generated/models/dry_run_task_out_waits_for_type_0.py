from typing import Literal

DryRunTaskOutWaitsForType0 = Literal['feedback', 'person']

DRY_RUN_TASK_OUT_WAITS_FOR_TYPE_0_VALUES: set[DryRunTaskOutWaitsForType0] = { 'feedback', 'person',  }

def check_dry_run_task_out_waits_for_type_0(value: str) -> DryRunTaskOutWaitsForType0:
    if value in DRY_RUN_TASK_OUT_WAITS_FOR_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DRY_RUN_TASK_OUT_WAITS_FOR_TYPE_0_VALUES!r}")
