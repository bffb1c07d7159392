/** @odoo-module **/

import { registry } from "@web/core/registry";
import { screenshot } from "@order_revoke_cancel/../tests/tours/screenshot";

/**
 * Cancel a delivered and invoiced order with reversal, then revoke the cancellation.
 *
 * Data comes from tests/test_ui_tours.py: one confirmed order of the customer
 * "Tour Revoke Customer", delivered and invoiced, whose salesperson is the tour user
 * (so the Sales app's default "My Quotations" filter shows it).
 */
const CUSTOMER = "Tour Revoke Customer";

registry.category("web_tour.tours").add("order_revoke_cancel_tour", {
    steps: () => [
        // ---- open the order ----------------------------------------------------------------
        {
            content: "Open the delivered and invoiced order from the list",
            trigger: `.o_list_view .o_data_row td.o_data_cell:contains("${CUSTOMER}")`,
            run: "click",
        },
        {
            content: "The order is a confirmed Sales Order",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "Click Cancel",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_cancel]",
            run: "click",
        },
        // ---- cancel wizard -----------------------------------------------------------------
        {
            content: "The cancel wizard previews the return of the delivered goods",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(Return goods):contains(/OUT/)",
        },
        {
            content: "... and the credit note of the posted invoice",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(Credit note):contains(INV/)",
        },
        {
            content: "The reversal options are offered to this user",
            trigger: ".modal .o_field_widget[name=receive_returns] input[type=checkbox]",
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
            content: "Explain the cancellation",
            trigger: ".modal .o_field_widget[name=cancel_note] textarea",
            run: "edit The customer changed their mind",
        },
        screenshot("cancel_wizard", ".modal .modal-content"),
        {
            content: "Confirm with the wizard's Cancel button",
            trigger: ".modal .modal-footer button[name=action_cancel]",
            run: "click",
        },
        // ---- cancelled order ---------------------------------------------------------------
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The order shows the Cancelled banner: one sentence with the reason",
            trigger: ".o_form_view [name=cancel_reason_banner]:contains(Cancelled on):contains(for this reason: Customer request.)",
        },
        {
            content: "The status bar says Cancelled",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Cancelled)",
        },
        {
            content: "A cancelled order offers no Cancel button",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_cancel]))",
        },
        screenshot("cancelled_order", ".o_action_manager .o_form_view"),
        {
            content: "Open the Cancellations smart button",
            trigger: ".o_form_view .oe_stat_button[name=action_view_cancellations]:contains(Cancellations):contains(1)",
            run: "click",
        },
        {
            content: "The cancellation record lists the return (a row that opens)",
            trigger: ".o_form_view .o_field_widget[name=return_picking_ids] .o_data_row",
        },
        {
            content: "... and the credit note",
            trigger: ".o_form_view .o_field_widget[name=credit_note_ids] .o_data_row",
        },
        {
            content: "Back to the order",
            trigger: ".o_breadcrumb .breadcrumb-item.o_back_button a",
            run: "click",
        },
        // ---- revoke ------------------------------------------------------------------------
        {
            content: "Click Revoke Cancellation",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_revoke_cancel]",
            run: "click",
        },
        {
            content: "The revoke wizard previews undoing the credit note",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(Reverse credit note)",
        },
        {
            content: "Write why the cancellation is revoked",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit The customer called back",
        },
        screenshot("revoke_wizard", ".modal .modal-content"),
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
            content: "The order is a Sales Order again",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "The Cancelled banner and the Revoke button are gone",
            trigger: ".o_form_view:not(:has(.alert-danger:contains(Cancelled))):not(:has(button[name=action_revoke_cancel]))",
        },
        {
            content: "The chatter logs the revoke",
            trigger: ".o-mail-Chatter .o-mail-Message:contains(Cancellation revoked)",
        },
        {
            content: "... and not as a confirmed quotation",
            trigger: ".o-mail-Chatter:not(:has(.o-mail-Message:contains(Quotation confirmed)))",
        },
    ],
});

/**
 * Mass cancel from the list: two quotations of "Tour Mass Customer" (salesperson: the tour
 * user), then the result, which keeps no question and offers one Close button.
 */
registry.category("web_tour.tours").add("order_mass_cancel_tour", {
    steps: () => [
        {
            content: "Select the first quotation",
            trigger: '.o_list_view .o_data_row:contains("Tour Mass Customer"):eq(0) .o_list_record_selector input',
            run: "click",
        },
        {
            content: "Select the second quotation",
            trigger: '.o_list_view .o_data_row:contains("Tour Mass Customer"):eq(1) .o_list_record_selector input',
            run: "click",
        },
        {
            content: "Open the Actions menu",
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Choose Cancel",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains(Cancel)",
            run: "click",
        },
        {
            content: "The wizard asks",
            trigger: ".modal:contains(Are you sure)",
        },
        {
            content: "Pick a reason",
            trigger: ".modal .o_field_widget[name=cancel_reason_id] input",
            run: "edit Duplicate",
        },
        {
            content: "Choose it in the dropdown",
            trigger: ".o-autocomplete--dropdown-item a:contains(Duplicate)",
            run: "click",
        },
        {
            content: "The preview lists each order before anything is done",
            trigger: ".modal .o_field_widget[name=impact_line_ids] .o_data_row:contains(Order cancelled):eq(1)",
        },
        {
            content: "Cancel the orders",
            trigger: ".modal .modal-footer button[name=action_mass_cancel]",
            run: "click",
        },
        {
            content: "The result lists each order",
            trigger: ".modal .o_field_widget[name=result]:contains(was cancelled.)",
        },
        {
            content: "... and what was made for it, each line opening its document",
            trigger: ".modal .o_field_widget[name=result_line_ids] .o_data_row:contains(Order cancelled):eq(1) button[name=action_open_document]",
        },
        {
            content: "The question is gone",
            trigger: ".modal:not(:contains(Are you sure)):not(:has(button[name=action_mass_cancel]))",
        },
        {
            content: "Only a Close button is left",
            trigger: ".modal .modal-footer:not(:contains(Discard)) button:contains(Close)",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
