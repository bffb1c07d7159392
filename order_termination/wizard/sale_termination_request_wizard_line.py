from odoo import fields, models


class SaleTerminationRequestWizardLine(models.TransientModel):
    """One sale line of the Request Termination wizard: the quantity to terminate (none on
    every line terminates the whole order)."""

    _name = "sale.termination.request.wizard.line"
    _inherit = "sale.order.line.quantity.mixin"
    _description = "Line to Terminate"

    wizard_id = fields.Many2one(
        "sale.termination.request.wizard", required=True, ondelete="cascade"
    )
    quantity = fields.Float("To Terminate")
