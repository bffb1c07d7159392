/** @odoo-module **/

import { registry } from "@web/core/registry";
import { screenshot } from "@order_revoke_cancel/../tests/tours/screenshot";

/**
 * A big selection in the background (issue 16). Data comes from tests/test_ui_tours_batch.py:
 * three confirmed orders of "Tour Batch Customer" whose salesperson is the tour user, two
 * delivered and invoiced, one on hold for a customer dispute (refused: order_termination's hold);
 * the company's background threshold is 2.
 */
const CUSTOMER = "Tour Batch Customer";

registry.category("web_tour.tours").add("order_batch_cancel_tour", {
    steps: () => [
        ...[0, 1, 2].map((index) => ({
            content: `Select order ${index + 1} of 3`,
            trigger: `.o_list_view .o_data_row:contains("${CUSTOMER}"):eq(${index}) .o_list_record_selector input`,
            run: "click",
            // The first screen of the tour waits for the web client to load (slow on a busy machine).
            timeout: index ? undefined : 30000,
        })),
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
            content: "The wizard says the selection runs in the background, with no preview",
            trigger: ".modal:has(div[name=background_note]:contains(in the background)):not(:has(.o_cancel_impact))",
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
            content: "Cancel the orders",
            trigger: ".modal .modal-footer button[name=action_mass_cancel]",
            run: "click",
        },
        {
            content: "The batch opens at once, queued, and offers to refresh",
            trigger: ".o_form_view:has(.o_field_widget[name=name]:contains(3 orders)) .o_statusbar_status .o_arrow_button_current:contains(Queued)",
        },
        {
            content: "It says the work goes on in the background",
            trigger: ".o_form_view .alert-info:contains(in the background)",
        },
        {
            content: "Refresh: the batch is reloaded, still queued (no scheduled action ran)",
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Refresh)",
            run: "click",
        },
        {
            content: "Still queued after the refresh",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Queued)",
        },
    ],
});

registry.category("web_tour.tours").add("order_batch_result_tour", {
    steps: () => [
        {
            content: "Open the batch from the list of batches",
            trigger: ".o_list_view .o_data_row:contains(Cancel):contains(Done) td[name=operation]",
            run: "click",
            timeout: 30000,
        },
        {
            content: "The batch is done",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Done)",
        },
        {
            content: "No Refresh button once done",
            trigger: ".o_form_view:has(.o_arrow_button_current:contains(Done)):not(:has(button:contains(Refresh)))",
        },
        {
            content: "Two orders cancelled, with the documents made",
            trigger: ".o_form_view .o_field_widget[name=result_ids] .o_data_row:contains(was cancelled.):eq(1)",
        },
        {
            content: "One refused, and why",
            trigger: ".o_form_view .o_field_widget[name=result_ids] .o_data_row.text-danger:contains(on hold)",
        },
        {
            content: "Scroll the refused order into view (for the picture)",
            trigger: ".o_form_view .o_field_widget[name=result_ids] .o_data_row.text-danger",
            run() {
                this.anchor.scrollIntoView({ block: "end" });
            },
        },
        {
            content: "Nothing is loading any more",
            trigger: "body:not(:has(.o_loading_indicator))",
        },
        screenshot("batch_result", ".o_action_manager .o_form_view"),
        {
            content: "Open the refused order from its result",
            trigger: ".o_form_view .o_field_widget[name=result_ids] .o_data_row.text-danger button[name=action_open_order]",
            run: "click",
        },
        {
            content: "The order is still confirmed",
            trigger: `.o_form_view:has(.o_field_widget[name=partner_id]:contains(${CUSTOMER})) .o_statusbar_status .o_arrow_button_current:contains(Sales Order)`,
        },
    ],
});
