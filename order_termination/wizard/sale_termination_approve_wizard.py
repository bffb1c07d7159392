from odoo import api, fields, models


class SaleTerminationApproveWizard(models.TransientModel):
    """Approve with a comment, knowing which steps the approval decides: an approver who
    belongs to several groups decides every pending step of theirs at once."""

    _name = "sale.termination.approve.wizard"
    _description = "Approve an Order Termination"

    request_id = fields.Many2one("sale.termination.request", required=True, readonly=True)
    approval_id = fields.Many2one(
        "sale.termination.approval",
        readonly=True,
        help="Set when one line of the approval list is approved: only that step is decided.",
    )
    comment = fields.Text(help="Recorded on the approval lines and told to the requester.")
    steps_summary = fields.Char(compute="_compute_steps_summary")

    @api.depends("request_id", "approval_id")
    @api.depends_context("uid")
    def _compute_steps_summary(self):
        for wizard in self:
            request = wizard.request_id
            approvals = wizard.approval_id or (
                request._get_reviewable_approvals() if request else request.approval_ids
            )
            approvals = approvals.filtered(lambda a: a.state == "pending" and a._can_review())
            if approvals:
                wizard.steps_summary = self.env._(
                    "Your approval decides these steps of %(request)s: %(steps)s.",
                    request=request.name,
                    steps=", ".join(approvals.mapped("name")),
                )
            else:
                wizard.steps_summary = self.env._(
                    "No pending step of %s is yours to decide.", request.name
                )

    def action_approve(self):
        """Delegate to the request (or the line), which checks who may decide."""
        self.ensure_one()
        if self.approval_id:
            self.approval_id.action_approve(comment=self.comment)
        else:
            self.request_id.action_approve(self.comment)
        return {"type": "ir.actions.act_window_close"}
