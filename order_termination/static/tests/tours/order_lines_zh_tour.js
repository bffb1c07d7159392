/** @odoo-module **/

import { registry } from "@web/core/registry";
import { screenshot } from "@order_revoke_cancel/../tests/tours/screenshot";

/**
 * The line wizards as a Chinese-speaking user sees them: opens Cancel Lines and Close Lines on
 * an order and checks that their texts are translated. Every trigger is a name or a product,
 * never an English label, so that it runs in any language.
 *
 * Data comes from tests/test_ui_tours_lines.py (TestLinesChineseTour): the tour starts on the
 * form of a confirmed order of 10 office chairs (4 delivered, 10 invoiced) and 2
 * installations, as a sales manager whose language is zh_CN.
 */
registry.category("web_tour.tours").add("order_lines_zh_tour", {
    steps: () => [
        {
            content: "Open Cancel Lines",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_cancel_lines]:contains(取消)",
            run: "click",
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
            content: "Click the title, which saves the line",
            trigger: ".modal .modal-title",
            run: "click",
        },
        {
            content: "The preview is there, in Chinese",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(/OUT/):contains(减少)",
        },
        screenshot("zh_cancel_lines_wizard", ".modal .modal-content"),
        {
            content: "Discard",
            trigger: ".modal .modal-footer button[special=cancel]",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Open Close Lines",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_close_lines]:contains(关闭)",
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
            content: "The preview names the backorder and the invoice, in Chinese",
            trigger: ".modal .o_field_widget[name=impact_html]:contains(/OUT/):contains(INV/):contains(取消)",
        },
        screenshot("zh_close_lines_wizard", ".modal .modal-content"),
        {
            content: "Discard",
            trigger: ".modal .modal-footer button[special=cancel]",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        screenshot("zh_order_form", ".o_action_manager .o_form_view"),
    ],
});
