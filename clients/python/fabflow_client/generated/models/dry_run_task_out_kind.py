from typing import Literal

DryRunTaskOutKind = Literal['automatic', 'manual', 'wait']

DRY_RUN_TASK_OUT_KIND_VALUES: set[DryRunTaskOutKind] = { 'automatic', 'manual', 'wait',  }

def check_dry_run_task_out_kind(value: str) -> DryRunTaskOutKind:
    if value in DRY_RUN_TASK_OUT_KIND_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {DRY_RUN_TASK_OUT_KIND_VALUES!r}")
