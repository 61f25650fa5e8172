from typing import Literal

ItemParamsOutcomeType0 = Literal['done', 'failed', 'pending', 'refused', 'working']

ITEM_PARAMS_OUTCOME_TYPE_0_VALUES: set[ItemParamsOutcomeType0] = { 'done', 'failed', 'pending', 'refused', 'working',  }

def check_item_params_outcome_type_0(value: str) -> ItemParamsOutcomeType0:
    if value in ITEM_PARAMS_OUTCOME_TYPE_0_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ITEM_PARAMS_OUTCOME_TYPE_0_VALUES!r}")
