/** @odoo-module **/

import { registry } from "@web/core/registry";
import { screenshot } from "@order_revoke_cancel/../tests/tours/screenshot";

/**
 * Cancel an order paid by card with Refund Payments: the preview says the money goes back
 * through the payment provider, and the cancellation does so.
 *
 * Data comes from tests/test_ui_tours_refund.py: a confirmed order of "Tour Card Customer",
 * delivered, invoiced and paid through Odoo's demo provider ("Demo card"), whose salesperson
 * is the tour user (a sales manager with billing rights).
 */
const CUSTOMER = "Tour Card Customer";

registry.category("web_tour.tours").add("order_card_refund_tour", {
    steps: () => [
        {
            content: "Open the paid order from the list",
            trigger: `.o_list_view .o_data_row td.o_data_cell:contains("${CUSTOMER}")`,
            run: "click",
        },
        {
            content: "Click Cancel",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_cancel]",
            run: "click",
        },
        {
            content: "Pick a reason",
            trigger: ".modal .o_field_widget[name=cancel_reason_id] input",
            run: "edit Customer request",
        },
        {
            content: "Choose it in the dropdown",
            trigger: ".o-autocomplete--dropdown-item a:contains(Customer request)",
            run: "click",
        },
        {
            content: "Without refund, the money stays as the customer's credit",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(Keep as customer credit)",
        },
        {
            content: "Tick Refund Payments",
            trigger: ".modal .o_field_widget[name=refund_payments] input[type=checkbox]",
            run: "click",
        },
        {
            content: "The preview says the card is refunded through the provider",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(Refund through the payment provider):contains(Demo card):contains(500.00)",
        },
        screenshot("card_refund_wizard", ".modal .modal-content"),
        {
            content: "Confirm with the wizard's Cancel button",
            trigger: ".modal .modal-footer button[name=action_cancel]",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The order shows the Cancelled banner",
            trigger: ".o_form_view [name=cancel_reason_banner]:contains(Customer request)",
        },
        {
            content: "The chatter lists the refund through the payment provider",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Refunds through the payment provider)",
        },
    ],
});
