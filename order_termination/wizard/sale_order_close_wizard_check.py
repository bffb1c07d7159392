from odoo import fields, models


class SaleOrderCloseWizardCheck(models.TransientModel):
    _name = "sale.order.close.wizard.check"
    _description = "Close Checklist Line"

    wizard_id = fields.Many2one("sale.order.close.wizard", required=True, ondelete="cascade")
    code = fields.Char()
    label = fields.Char()
    ok = fields.Boolean()
    detail = fields.Char()
