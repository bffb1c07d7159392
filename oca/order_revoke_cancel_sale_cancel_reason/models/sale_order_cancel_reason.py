from odoo.addons.order_revoke_cancel.models.sale_cancel_reason import SaleCancelReason


class SaleOrderCancelReason(SaleCancelReason):
    """Both order_revoke_cancel and OCA's sale_cancel_reason define the model
    `sale.order.cancel.reason` by name, and Odoo keeps only the definition loaded last. When OCA
    is installed on a database that has order_revoke_cancel, OCA's comes last and the reason
    loses our fields (sequence, archiving, note required, company). Extending the model with our
    definition here, which loads after both, puts them back whatever the order was."""

    _name = "sale.order.cancel.reason"
    _inherit = "sale.order.cancel.reason"
