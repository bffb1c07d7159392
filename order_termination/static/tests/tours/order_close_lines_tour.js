/** @odoo-module **/

import { registry } from "@web/core/registry";
import { screenshot } from "@order_revoke_cancel/../tests/tours/screenshot";

/**
 * Close the chairs line of an order short (settled at the 4 delivered), then reopen it.
 *
 * Data comes from tests/test_ui_tours_lines.py (TestCloseLinesTour): a confirmed order of
 * "Tour Close Lines Customer" with 10 office chairs (4 delivered, 10 invoiced) and 2
 * installations, whose salesperson is the tour user (a sales manager).
 */
const CUSTOMER = "Tour Close Lines Customer";

registry.category("web_tour.tours").add("order_close_lines_tour", {
    steps: () => [
        {
            content: "Open the order from the list",
            trigger: `.o_list_view .o_data_row td.o_data_cell:contains("${CUSTOMER}")`,
            run: "click",
        },
        {
            content: "Click Close Lines",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_close_lines]",
            run: "click",
        },
        {
            content: "Add a line to close",
            trigger: ".modal .o_field_widget[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Choose the chairs",
            trigger: ".modal .o_list_view .o_data_row td.o_data_cell:contains(Office chair)",
            run: "click",
        },
        {
            content: "The chairs are in the wizard with what was delivered",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(Office chair):contains(4.00)",
        },
        {
            content: "Pick a reason",
            trigger: ".modal .o_field_widget[name=reason_id] input",
            run: "edit Short close",
        },
        {
            content: "Choose it in the dropdown",
            trigger: ".o-autocomplete--dropdown-item a:contains(Short close)",
            run: "click",
        },
        {
            content: "Write a note",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit The customer needs no more chairs.",
        },
        {
            content: "Click outside the reason, which closes its dropdown",
            trigger: ".modal .modal-title",
            run: "click",
        },
        {
            content: "The reason's dropdown is closed",
            trigger: "body:not(:has(.o-autocomplete--dropdown-menu))",
        },
        {
            content: "The preview names the backorder and the credited invoice",
            trigger: ".modal .o_field_widget[name=impact_html]:contains(/OUT/):contains(INV/)",
        },
        screenshot("close_lines_wizard", ".modal .modal-content"),
        {
            content: "Confirm with the wizard's Close Lines button",
            trigger: ".modal .modal-footer button[name=action_close_lines]",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The chairs line shows closed",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row:contains(Office chair) .o_data_cell[name=is_closed] input:checked",
        },
        {
            content: "The installation line is still open",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row:contains(Installation) .o_data_cell[name=is_closed] input:not(:checked)",
        },
        {
            content: "The order is still open: Close Lines is still offered for the other line",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_close_lines]",
        },
        screenshot("closed_line_order", ".o_action_manager .o_form_view"),
        {
            content: "Click Reopen Lines",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_reopen_lines]",
            run: "click",
        },
        {
            content: "The closed chairs are proposed",
            trigger: ".modal .o_field_widget[name=line_ids] .o_data_row:contains(Office chair)",
        },
        {
            content: "Write why",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit The customer takes the chairs after all",
        },
        {
            content: "Confirm the reopen",
            trigger: ".modal .modal-footer button[name=action_reopen_lines]",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The chairs line is open again",
            trigger: ".o_form_view .o_field_widget[name=order_line] .o_data_row:contains(Office chair) .o_data_cell[name=is_closed] input:not(:checked)",
        },
    ],
});
