from typing import Literal

OrderOutStatus = Literal['created', 'failure', 'in_progress', 'success', 'unhealthy']

ORDER_OUT_STATUS_VALUES: set[OrderOutStatus] = { 'created', 'failure', 'in_progress', 'success', 'unhealthy',  }

def check_order_out_status(value: str) -> OrderOutStatus:
    if value in ORDER_OUT_STATUS_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {ORDER_OUT_STATUS_VALUES!r}")
