"""Doing a step as a user would: pickings, wizards, the payment register, Odoo's Return."""

from odoo import Command, fields

from .base import Violation


class StepActions:
    """The actions of the steps (called inside the step's savepoint)."""

    def _validate(self, pickings, quantities, user=None):
        user = user or self.manager
        pickings = pickings.with_user(user)
        for move in pickings.move_ids:
            if move.id in quantities:
                move.quantity = quantities[move.id]
                move.picked = True
        res = pickings.button_validate()
        if isinstance(res, dict) and res.get("res_model") == "stock.backorder.confirmation":
            wizard = self.env["stock.backorder.confirmation"].with_user(user)
            wizard.with_context(**res["context"]).create({}).process()
        elif isinstance(res, dict):
            raise Violation(
                "validation asks for a wizard",
                f"validating {', '.join(pickings.mapped('name'))} opened {res.get('res_model')}",
            )

    def _receive(self, returns, quantities):
        """Receive returns as a warehouse does: a return of a pick waits for the return of the
        pack that brings its goods back to Packing, so the returns are received in that order;
        lots and serial numbers can only be received where they are (what the return reserved
        once the earlier returns are in)."""
        pending = returns
        while pending:
            wave = (
                pending.filtered(
                    lambda p, pending=pending: not (p.move_ids.move_orig_ids & pending.move_ids)
                )
                or pending
            )
            wave.with_user(self.manager).action_assign()
            wanted = {}
            for move in wave.move_ids.filtered(lambda m: m.state not in ("done", "cancel")):
                qty = quantities.get(move.id, 0.0)
                if move.has_tracking != "none":
                    qty = min(qty, move.quantity)
                if qty > 0:
                    wanted[move.id] = qty
            ready = wave.filtered(lambda p, wanted=wanted: set(p.move_ids.ids) & set(wanted))
            if ready:
                self._validate(ready, wanted)
            pending -= wave

    def _invoice(self, orders, post, rounding=False):
        invoices = orders.with_user(self.manager)._create_invoices()
        if rounding:
            invoices.invoice_cash_rounding_id = self.cash_roundings[rounding]
        if post:
            invoices.action_post()
        return invoices

    def _credit_note(self, line, qty, price, wizard):
        env = self.env(user=self.manager)
        if wizard:
            reversal = (
                env["account.move.reversal"]
                .with_context(active_model="account.move", active_ids=line.move_id.ids)
                .create({"journal_id": line.move_id.journal_id.id, "reason": "Machine"})
            )
            action = reversal.refund_moves()
            credit_note = env["account.move"].browse(action["res_id"])
            keep = credit_note.invoice_line_ids.filtered(
                lambda li: li.display_type == "product" and li.sale_line_ids == line.sale_line_ids
            )[:1]
            credit_note.write(
                {
                    "invoice_line_ids": [
                        Command.unlink(li.id)
                        # Every other line goes, sections included: a combo's section line
                        # is linked to its sale line, and Odoo counts it credited if kept.
                        for li in credit_note.invoice_line_ids - keep
                    ]
                    + [Command.update(keep.id, {"quantity": qty, "price_unit": price})]
                }
            )
        else:
            credit_note = env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "partner_id": self.partner.id,
                    "invoice_date": fields.Date.context_today(line),
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": line.product_id.id,
                                "quantity": qty,
                                "price_unit": price,
                                # The invoice line's taxes: a rebate credits its taxes too.
                                "tax_ids": [Command.set(line.tax_ids.ids)],
                                "sale_line_ids": [Command.set(line.sale_line_ids.ids)],
                            }
                        )
                    ],
                }
            )
        credit_note.action_post()
        return credit_note

    def _pay(self, invoice, amount, early=False, writeoff=False):
        """Register a payment; returns the money it brought. `amount` None: the register's own
        amount (the discounted one within the discount period, `early`); `writeoff`: the rest
        of the invoice is written off ("mark as fully paid")."""
        register = (
            self.env["account.payment.register"]
            .with_user(self.manager)
            .with_context(active_model="account.move", active_ids=invoice.ids)
        )
        values = {}
        if early:
            values["payment_date"] = invoice.invoice_date
        if amount is not None:
            values["amount"] = amount
        if writeoff:
            values.update(
                {
                    "payment_difference_handling": "reconcile",
                    "writeoff_account_id": self.writeoff_account.id,
                    "writeoff_label": "Bank charges",
                }
            )
        wizard = register.create(values)
        if early and not wizard.early_payment_discount_mode:
            raise Violation(
                "no early-payment discount within the discount period",
                f"{invoice.name}: the register proposes {wizard.amount:.2f} of "
                f"{invoice.amount_residual:.2f}",
            )
        money = wizard.amount
        wizard._create_payments()
        return money

    def _pay_online(self, invoice, amount):
        """The customer pays `amount` of `invoice` by card: a done transaction of the demo
        provider, post-processed as Odoo does (its payment, in the provider's journal, is
        reconciled with the invoice). Returns the transaction."""
        Transaction = self.env["payment.transaction"].sudo()
        transaction = Transaction.create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.payment_method.id,
                "reference": Transaction._compute_reference("demo", prefix=invoice.name),
                "amount": amount,
                "currency_id": invoice.currency_id.id,
                "partner_id": invoice.partner_id.id,
                "operation": "online_direct",
                "invoice_ids": [Command.set(invoice.ids)],
                "sale_order_ids": [Command.set(invoice.line_ids.sale_line_ids.order_id.ids)],
            }
        )
        transaction._handle_notification_data(
            "demo",
            {
                "reference": transaction.reference,
                "simulated_state": "done",
                "payment_details": "42",
            },
        )
        transaction._post_process()
        if not transaction.payment_id:
            raise Violation("online payment not booked", f"{transaction.reference} has no payment")
        return transaction

    def _repair_return(self, move, qty):
        """Odoo's Return of `qty` of `move`, "update quantities on SO" unticked (goods sent in
        for a repair), received at once: the goods are back, the order still counts them."""
        wizard = (
            self.env["stock.return.picking"]
            .with_user(self.manager)
            .create({"picking_id": move.picking_id.id})
        )
        lines = wizard.product_return_moves
        lines.filtered(lambda li: li.move_id != move).write({"quantity": 0})
        lines.filtered(lambda li: li.move_id == move).write({"quantity": qty, "to_refund": False})
        repair = wizard._create_return()
        self._validate(repair, {m.id: m.product_uom_qty for m in repair.move_ids})
        return repair
