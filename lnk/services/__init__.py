"""Business rules, one module per area. Plain functions taking a ServiceContext, the acting user
and primitives; they check permissions, write through the store and publish domain events after
the write. REST views, pages and socket handlers all call these and nothing below them."""
