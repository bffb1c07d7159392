/** @odoo-module **/

import { registry } from "@web/core/registry";
import { screenshot } from "@order_revoke_cancel/../tests/tours/screenshot";

/**
 * Cancel part of two lines of a confirmed order, then revoke that cancellation.
 *
 * Data comes from tests/test_ui_tours_lines.py: a confirmed order of "Tour Lines Customer"
 * with 10 office chairs (not delivered) and 2 installations, whose salesperson is the tour
 * user.
 */
const CUSTOMER = "Tour Lines Customer";

registry.category("web_tour.tours").add("order_cancel_lines_tour", {
    steps: () => [
        {
            content: "Open the order from the list",
            trigger: `.o_list_view .o_data_row td.o_data_cell:contains("${CUSTOMER}")`,
            run: "click",
        },
        {
            content: "Click Cancel Lines",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_cancel_lines]",
            run: "click",
        },
        {
            content: "The wizard lists the chairs with what is still ordered",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(Office chair):contains(10.00)",
        },
        {
            content: "Cancel 3 chairs",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(Office chair) .o_data_cell[name=quantity]",
            run: "click",
        },
        {
            content: "Type the quantity",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row.o_selected_row .o_data_cell[name=quantity] input",
            run: "edit 3",
        },
        {
            content: "Cancel 1 installation",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(Installation) .o_data_cell[name=quantity]",
            run: "click",
        },
        {
            content: "Type the quantity",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row.o_selected_row:contains(Installation) .o_data_cell[name=quantity] input",
            run: "edit 1",
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
            content: "The reason's dropdown is closed",
            trigger: "body:not(:has(.o-autocomplete--dropdown-menu))",
        },
        {
            content: "The preview says the delivery is reduced",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(Reduce delivery):contains(/OUT/)",
        },
        screenshot("cancel_lines_wizard", ".modal .modal-content"),
        {
            content: "Confirm with the wizard's Cancel Lines button",
            trigger: ".modal .modal-footer button[name=action_cancel_lines]",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The order is still confirmed: Cancel Lines is still offered",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_cancel_lines]",
        },
        {
            content: "The chairs line shows 3 cancelled",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row:contains(Office chair) .o_data_cell[name=qty_cancelled]:contains(3.00)",
        },
        {
            content: "The chatter lists the cancelled quantities",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Lines cancelled):contains(Office chair)",
        },
        screenshot("cancelled_lines_order", ".o_action_manager .o_form_view"),
        {
            content: "Click Revoke Cancellation",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_revoke_cancel]",
            run: "click",
        },
        {
            content: "The revoke wizard says what is delivered again",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(New delivery)",
        },
        {
            content: "Write why",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit The customer wants them after all",
        },
        {
            content: "Confirm the revoke",
            trigger: ".modal .modal-footer button[name=action_revoke]",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Nothing is cancelled on the lines any more",
            trigger: ".o_form_view .o_field_widget[name=order_line]:not(:has(.o_data_cell[name=qty_cancelled]:contains(3.00)))",
        },
        {
            content: "The chatter logs the revoke",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Cancellation revoked)",
        },
    ],
});
