/** @odoo-module **/

import { registry } from "@web/core/registry";
import { screenshot } from "@order_revoke_cancel/../tests/tours/screenshot";

/**
 * Customer self-service and the analysis of cancellations, clicked through.
 *
 * Data comes from tests/test_ui_tours_self_service.py: a confirmed order whose company takes
 * cancellation requests online, a reason "Tour: no longer needed" offered to customers, and
 * cancelled orders for the analysis.
 */
const tours = registry.category("web_tour.tours");

tours.add("order_termination_portal_request_tour", {
    steps: () => [
        {
            content: "The customer's order page offers to request the cancellation",
            trigger: "#o_termination_request_btn",
            run: "click",
        },
        {
            content: "Only reasons offered to customers are listed",
            trigger: "#modal_request_termination select[name=reason_id]:not(:has(option:contains(Tour: internal only)))",
        },
        {
            content: "Choose a reason",
            trigger: "#modal_request_termination select[name=reason_id]",
            run: "selectByLabel Tour: no longer needed",
        },
        {
            content: "Say why, in the customer's words",
            trigger: "#modal_request_termination textarea[name=comment]",
            run: "edit Our project was stopped.",
        },
        screenshot("portal_cancellation_request", "#modal_request_termination .modal-content"),
        {
            content: "Send the request",
            trigger: "#o_termination_request_submit",
            run: "click",
        },
        {
            content: "The customer is thanked and told the outcome will come by email",
            trigger: ".alert-success:contains(we received your cancellation request)",
        },
        {
            content: "The request's state is on the order page",
            trigger: "#termination_request_status:contains(we are reviewing it)",
        },
        screenshot("portal_cancellation_status", "#termination_request_status"),
        {
            content: "No second request is offered",
            trigger: "body:not(:has(#o_termination_request_btn))",
        },
    ],
});

tours.add("order_cancellation_analysis_tour", {
    steps: () => [
        {
            content: "Open the Reporting menu",
            trigger: ".o_main_navbar .o_menu_sections button[data-menu-xmlid='sale.menu_sale_report']",
            run: "click",
        },
        {
            content: "Open the Cancellation Analysis",
            trigger: ".o-dropdown--menu .dropdown-item[data-menu-xmlid='order_termination.menu_sale_cancellation_analysis']",
            run: "click",
        },
        {
            content: "Revoked cancellations are left out by default",
            trigger: ".o_searchview .o_facet_value:contains(In Force)",
        },
        {
            content: "The graph counts the orders",
            trigger: ".o_graph_view .o_graph_canvas_container canvas",
        },
        screenshot("cancellation_analysis_graph", ".o_action_manager"),
        {
            content: "Switch to the pivot",
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot gives the orders per reason and month",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains(Tour: duplicate order)",
        },
        screenshot("cancellation_analysis", ".o_action_manager"),
    ],
});
