/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Cancel a delivered and invoiced order for a reason that bills a fixed fee of 30: the
 * wizard shows the fee and previews its invoice; a sales manager lowers it to 12 and the
 * preview follows. Data comes from tests/test_ui_fee_tour.py (the tour starts on the order).
 */
registry.category("web_tour.tours").add("order_cancel_fee_tour", {
    steps: () => [
        {
            content: "Click Cancel",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_cancel]",
            run: "click",
        },
        {
            content: "Pick the reason that bills a fee",
            trigger: ".modal .o_field_widget[name=cancel_reason_id] input",
            run: "edit Tour late cancellation",
        },
        {
            content: "Choose it in the dropdown",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour late cancellation)",
            run: "click",
        },
        {
            content: "The wizard shows the reason's fee",
            trigger: ".modal .o_field_widget[name=fee_amount] input:value(30.00)",
        },
        {
            content: "The preview lists the fee invoice with the fee",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(Cancellation fee invoice):contains(30.00)",
        },
        {
            content: "... next to the credit note of the posted invoice",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(Credit note):contains(INV/)",
        },
        {
            content: "Lower the fee",
            trigger: ".modal .o_field_widget[name=fee_amount] input",
            run: "edit 12",
        },
        {
            content: "Explain the cancellation (and leave the fee field)",
            trigger: ".modal .o_field_widget[name=cancel_note] textarea",
            run: "edit Late, but a loyal customer",
        },
        {
            content: "The preview follows the new fee",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(Cancellation fee invoice):contains(12.00)",
        },
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
            content: "The order is cancelled",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Cancelled)",
        },
        {
            content: "The chatter says the fee was changed",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(instead of the reason)",
        },
    ],
});
