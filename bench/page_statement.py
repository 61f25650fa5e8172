"""The floor of bench/api.py's list figures: a page of orders written by one SQL statement.

It writes the same documents as the API's list answer, with the SQL the API's own documents come
from (`fabflow.orders.documents`), so the ratio to it measures everything but writing them.
"""


def page_statement(page: str) -> str:
    """One statement writing the orders that the query `page` selects (rows of the orders
    table, in page order) as one JSON array of the documents a list answer holds. Run it with
    the parameters of `page` (%s), as every statement of `documents`: literal percent signs are
    written doubled."""
    # Imported here: the benchmark imports this module before it sets Django up.
    from fabflow.orders import documents

    # The document SQL is the product's own, reached below its public functions on purpose: the
    # floor must write exactly what the API writes, in one statement instead of one per page.
    sql = documents._sql()
    if sql is documents._SQLite:
        rows = f"(SELECT page.*, {sql.id('page.id')} AS id_text FROM ({page}) page)"
        aggregate = "json_group_array(json(document))"
    else:
        rows, aggregate = f"({page})", "json_agg(document)"
    return (
        f"SELECT {aggregate} FROM (SELECT {documents._order_document(sql, 'x')} AS document "
        f"FROM {rows} x JOIN {documents.SPACE} s ON s.id = x.space_id) documents"
    )
