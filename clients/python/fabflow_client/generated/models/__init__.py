""" Contains all the data models used in inputs/outputs """

from .accepted import Accepted
from .asset_out import AssetOut
from .asset_out_kind import AssetOutKind
from .bulk_item_out import BulkItemOut
from .bulk_item_out_outcome import BulkItemOutOutcome
from .bulk_item_page import BulkItemPage
from .bulk_job_in import BulkJobIn
from .bulk_job_in_action import BulkJobInAction
from .bulk_job_in_arguments import BulkJobInArguments
from .bulk_job_in_filter_type_0 import BulkJobInFilterType0
from .bulk_job_out import BulkJobOut
from .bulk_job_out_arguments import BulkJobOutArguments
from .confirm_in import ConfirmIn
from .delivery_out import DeliveryOut
from .delivery_out_status import DeliveryOutStatus
from .delivery_page import DeliveryPage
from .dry_run_error import DryRunError
from .dry_run_in import DryRunIn
from .dry_run_out import DryRunOut
from .dry_run_out_order import DryRunOutOrder
from .dry_run_stage_out import DryRunStageOut
from .dry_run_task_error import DryRunTaskError
from .dry_run_task_out import DryRunTaskOut
from .dry_run_task_out_effects import DryRunTaskOutEffects
from .dry_run_task_out_kind import DryRunTaskOutKind
from .dry_run_task_out_waits_for_type_0 import DryRunTaskOutWaitsForType0
from .error import Error
from .error_item import ErrorItem
from .event_actor_out import EventActorOut
from .event_actor_out_kind import EventActorOutKind
from .event_out import EventOut
from .event_out_details import EventOutDetails
from .event_page import EventPage
from .feedback_in import FeedbackIn
from .feedback_in_data import FeedbackInData
from .feedback_in_status import FeedbackInStatus
from .flow_definition_in import FlowDefinitionIn
from .flow_in import FlowIn
from .flow_out import FlowOut
from .flow_page import FlowPage
from .flow_schema_response import FlowSchemaResponse
from .flow_space_params import FlowSpaceParams
from .item_params import ItemParams
from .item_params_outcome_type_0 import ItemParamsOutcomeType0
from .list_bulk_job_items_outcome_type_0 import ListBulkJobItemsOutcomeType0
from .order_in import OrderIn
from .order_in_addresses_item import OrderInAddressesItem
from .order_in_data import OrderInData
from .order_list_params import OrderListParams
from .order_out import OrderOut
from .order_out_data import OrderOutData
from .order_out_status import OrderOutStatus
from .order_page import OrderPage
from .order_patch import OrderPatch
from .order_patch_data_type_0 import OrderPatchDataType0
from .outcome_counts import OutcomeCounts
from .page_params import PageParams
from .part_in import PartIn
from .part_in_data import PartInData
from .part_list_params import PartListParams
from .part_out import PartOut
from .part_out_data import PartOutData
from .part_page import PartPage
from .product_in import ProductIn
from .product_in_configuration import ProductInConfiguration
from .product_in_data import ProductInData
from .product_list_params import ProductListParams
from .product_out import ProductOut
from .product_out_configuration import ProductOutConfiguration
from .product_out_data import ProductOutData
from .product_page import ProductPage
from .reject_in import RejectIn
from .start_flow_in import StartFlowIn
from .task_list import TaskList
from .task_out import TaskOut
from .task_out_status import TaskOutStatus
from .upload_order_asset_body import UploadOrderAssetBody
from .upload_order_asset_body_kind import UploadOrderAssetBodyKind
from .upload_part_asset_body import UploadPartAssetBody
from .upload_part_asset_body_kind import UploadPartAssetBodyKind
from .upload_product_asset_body import UploadProductAssetBody
from .upload_product_asset_body_kind import UploadProductAssetBodyKind
from .webhook_in import WebhookIn
from .webhook_out import WebhookOut
from .webhook_page import WebhookPage
from .webhook_patch import WebhookPatch
from .webhook_with_secret import WebhookWithSecret

__all__ = (
    "Accepted",
    "AssetOut",
    "AssetOutKind",
    "BulkItemOut",
    "BulkItemOutOutcome",
    "BulkItemPage",
    "BulkJobIn",
    "BulkJobInAction",
    "BulkJobInArguments",
    "BulkJobInFilterType0",
    "BulkJobOut",
    "BulkJobOutArguments",
    "ConfirmIn",
    "DeliveryOut",
    "DeliveryOutStatus",
    "DeliveryPage",
    "DryRunError",
    "DryRunIn",
    "DryRunOut",
    "DryRunOutOrder",
    "DryRunStageOut",
    "DryRunTaskError",
    "DryRunTaskOut",
    "DryRunTaskOutEffects",
    "DryRunTaskOutKind",
    "DryRunTaskOutWaitsForType0",
    "Error",
    "ErrorItem",
    "EventActorOut",
    "EventActorOutKind",
    "EventOut",
    "EventOutDetails",
    "EventPage",
    "FeedbackIn",
    "FeedbackInData",
    "FeedbackInStatus",
    "FlowDefinitionIn",
    "FlowIn",
    "FlowOut",
    "FlowPage",
    "FlowSchemaResponse",
    "FlowSpaceParams",
    "ItemParams",
    "ItemParamsOutcomeType0",
    "ListBulkJobItemsOutcomeType0",
    "OrderIn",
    "OrderInAddressesItem",
    "OrderInData",
    "OrderListParams",
    "OrderOut",
    "OrderOutData",
    "OrderOutStatus",
    "OrderPage",
    "OrderPatch",
    "OrderPatchDataType0",
    "OutcomeCounts",
    "PageParams",
    "PartIn",
    "PartInData",
    "PartListParams",
    "PartOut",
    "PartOutData",
    "PartPage",
    "ProductIn",
    "ProductInConfiguration",
    "ProductInData",
    "ProductListParams",
    "ProductOut",
    "ProductOutConfiguration",
    "ProductOutData",
    "ProductPage",
    "RejectIn",
    "StartFlowIn",
    "TaskList",
    "TaskOut",
    "TaskOutStatus",
    "UploadOrderAssetBody",
    "UploadOrderAssetBodyKind",
    "UploadPartAssetBody",
    "UploadPartAssetBodyKind",
    "UploadProductAssetBody",
    "UploadProductAssetBodyKind",
    "WebhookIn",
    "WebhookOut",
    "WebhookPage",
    "WebhookPatch",
    "WebhookWithSecret",
)
