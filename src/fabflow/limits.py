"""Every bound Fabflow puts on what callers send and on the work they define, declared once.

Services, request parsing, flow validation and the template sandbox read their limits here;
docs/security.md lists them. A request over any bound is refused before anything is written.
"""

from decimal import Decimal

# --- Orders, products, parts and their JSON documents -------------------------------------
# Chosen so that one order's answer stays bounded (docs/api.md states its worst-case size) and
# every value fits its column.

# Money: an order's value, a product's unit value, and the order's value computed as
# Σ units × unit value. The columns hold 12 integer digits; two are kept as headroom for sums
# over several orders.
MAX_AMOUNT = Decimal("9999999999.99")
MAX_UNITS = 1_000_000_000
MAX_NAME_LENGTH = 200  # orders, products, parts
MAX_TAG_LENGTH = 50
MAX_TAGS = 50
MAX_ADDRESSES = 20
MAX_PRODUCTS_PER_ORDER = 100
MAX_PARTS_PER_PRODUCT = 1000
MAX_PARTS_PER_ORDER = 1000
# Files uploaded to an order, its products and its parts together.
MAX_UPLOADS_PER_ORDER = 1000
# Every JSON document (an order's data and addresses, a product's configuration and data, a
# part's data, a connector's feedback data): levels of nesting, and bytes as compact UTF-8 JSON.
MAX_JSON_DEPTH = 32
MAX_JSON_DOCUMENT_BYTES = 64 * 1024
# The documents of all of an order's products and parts together.
MAX_ORDER_DOCUMENTS_BYTES = 1024 * 1024
# A whole JSON request body: its documents nest inside a few levels of envelope
# (body → products → product → parts → part → data).
MAX_BODY_DEPTH = MAX_JSON_DEPTH + 8
# A page of a list ends early once its documents reach this many bytes (at least one document).
MAX_PAGE_BYTES = 2 * 1024 * 1024

# --- Order flows and their templates -------------------------------------------------------
# A definition is checked against these before anything else, by loops rather than recursion,
# so no shape of JSON can exhaust the stack of the process that saves, lists or runs it.
MAX_FLOW_STAGES = 100
MAX_FLOW_TASKS = 500  # in the whole flow, `next` chains included
# Levels of tasks below a stage's own through `next`. A definition then nests at most
# 4 + 2 × 16 levels to its deepest task, and a payload 3 more (recipient lists, headers):
# 39 levels, within a request body's MAX_BODY_DEPTH.
MAX_FLOW_NEXT_DEPTH = 16
MAX_FLOW_DEFINITION_DEPTH = 4 + 2 * MAX_FLOW_NEXT_DEPTH + 3
MAX_FLOW_DEFINITION_BYTES = 256 * 1024  # compact UTF-8 JSON
# One payload text that holds `{{` or `{%`; compiled when the flow is saved, in time that grows
# with its parts (the nodes of its syntax tree; a 9,000-character e-mail body has about 1,400).
MAX_TEMPLATE_CHARACTERS = 20_000
MAX_TEMPLATE_PARTS = 2_000
# Rendering a task's payload: its templates together may run this long and write this much.
TEMPLATE_RENDER_SECONDS = 1.0
TEMPLATE_MAX_OUTPUT_CHARACTERS = 1_000_000
# Inside a template: items of `range`, characters of any text or items of any list it builds
# (`*`, `+`, `~`, join, replace, indent: each one step of C, kept short), widths of padding
# (center, format), and bits of an integer it computes (about 1,200 digits).
TEMPLATE_MAX_RANGE = 10_000
TEMPLATE_MAX_TEXT = 100_000
TEMPLATE_MAX_WIDTH = 1_000
TEMPLATE_MAX_INTEGER_BITS = 4_096
# What an operator writes when confirming or rejecting a task, and a connector's feedback message.
MAX_REASON_LENGTH = 2000

# --- Accounts: users, secret keys, signing in ------------------------------------------------
# A user's tags follow the orders' tag bounds above (MAX_TAG_LENGTH, MAX_TAGS): they match them.

# An e-mail address (the longest path SMTP carries, RFC 5321, less its angle brackets).
MAX_EMAIL_LENGTH = 254
MAX_USER_NAME_LENGTH = 200
MAX_SECRET_KEY_NAME_LENGTH = 200
# A product space's key (its URL and API spelling) and display name; the model's column sizes.
MAX_SPACE_KEY_LENGTH = 64
MAX_SPACE_NAME_LENGTH = 200
# A password, refused longer before any hashing: hashing costs grow with its length.
MAX_PASSWORD_LENGTH = 1024

# --- Audit trail -------------------------------------------------------------------------------
# One record's changes document: a value whose JSON is longer is cut and marked, fields past the
# count are summed up in one line, so a record stays under about 32 KiB and can never fail the
# change it records. Labels (who, what) are cut to the column's size.
MAX_AUDIT_VALUE_CHARACTERS = 500
MAX_AUDIT_CHANGED_FIELDS = 50
MAX_AUDIT_LABEL_LENGTH = 200
# The Activity page's CSV export: a filter matching more records exports nothing and says so.
MAX_AUDIT_EXPORT_ROWS = 10_000

# --- Saved views of the tables -----------------------------------------------------------------
# A view's name, and its table state as the list page's query string (filters, search, sort,
# columns, rows per page; the page's own inputs are far shorter than this).
MAX_SAVED_VIEW_NAME_LENGTH = 100
MAX_SAVED_VIEW_QUERY_LENGTH = 2000
# Views one user keeps over all tables (private and shared), and views shared in one
# organization: each table's Views menu lists the user's own and the shared ones.
MAX_SAVED_VIEWS_PER_USER = 50
MAX_SAVED_VIEWS_SHARED_PER_ORGANIZATION = 100

# --- Webhook subscriptions -------------------------------------------------------------------
# An organization's subscriptions: each one is matched against every change of its orders, so
# their number bounds the cost of recording a change (one indexed query, then this many checks).
MAX_WEBHOOK_SUBSCRIPTIONS_PER_ORGANIZATION = 20
MAX_WEBHOOK_URL_LENGTH = 2000
# The event types one subscription names (each at most once; there are fewer kinds than this).
MAX_WEBHOOK_EVENT_TYPES = 20
# A receiver gets this long to answer one delivery, and this much of its answer is read.
WEBHOOK_TIMEOUT_SECONDS = 10
WEBHOOK_MAX_RESPONSE_BYTES = 4096
# Deliveries of one organization in flight at once in one worker: a slow receiver holds no more
# of the worker's delivery threads than this.
WEBHOOK_MAX_IN_FLIGHT_PER_ORGANIZATION = 4

# --- Bulk actions on orders ------------------------------------------------------------------
# (How many orders one job covers, and when it asks first, are settings: FABFLOW_BULK_*.)
# Jobs of one organization queued or running at once: one runs at a time, so more would only
# wait, and each holds its orders' rows.
MAX_BULK_JOBS_WAITING_PER_ORGANIZATION = 10
# How a job's orders were chosen, as shown on its page (a filter's query string, cut).
MAX_BULK_SELECTION_LENGTH = 1000
