/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Termination and closing, as the users of each role click through them.
 *
 * Data comes from tests/test_ui_tours.py (TestOrderTerminationTour): a delivered and
 * invoiced order of "Tour Termination Customer" whose salesperson is the requester, two
 * approval steps ("Sales approval", then "Warehouse approval", each with its own group), a
 * termination reason "Tour: project stopped" without customer confirmation, and a settled
 * order of "Tour Closing Customer" (delivered, invoiced, paid) for close/reopen.
 * The termination runs as three tours, one per user: request, first approval, final approval.
 */
const tours = registry.category("web_tour.tours");

const approvalRow = (step, state) =>
    `.o_form_view .o_field_widget[name=approval_ids] .o_data_row:contains(${step}):contains(${state})`;

// ---- 1. the salesman requests the termination ------------------------------------------------
tours.add("order_termination_request_tour", {
    steps: () => [
        {
            content: "Open the order from the Sales app",
            trigger: '.o_list_view .o_data_row td.o_data_cell:contains("Tour Termination Customer")',
            run: "click",
        },
        {
            content: "Click Request Termination",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_request_termination]",
            run: "click",
        },
        {
            content: "The wizard explains what the termination will do",
            trigger: ".modal .o_field_widget[name=impact_html] li",
        },
        {
            content: "Pick the reason",
            trigger: ".modal .o_field_widget[name=reason_id] input",
            run: "edit Tour: project",
        },
        {
            content: "Choose it in the dropdown",
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour: project stopped)",
            run: "click",
        },
        {
            content: "Describe the request",
            trigger: ".modal .o_field_widget[name=description] textarea",
            run: "edit The customer's project was stopped",
        },
        {
            content: "Submit the request",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The request waits for approval",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(To Approve)",
        },
        {
            content: "The first step is pending",
            trigger: approvalRow("Sales approval", "Pending"),
        },
        {
            content: "The second step waits for the first",
            trigger: approvalRow("Warehouse approval", "Waiting"),
        },
        {
            content: "The requester may not approve his own request",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_approve]))",
        },
    ],
});

// ---- 2. the sales manager approves the first step from the order -----------------------------
tours.add("order_termination_first_approval_tour", {
    steps: () => [
        {
            content: "The order shows the pending termination",
            trigger: ".o_form_view .alert-warning:contains(Termination pending)",
        },
        {
            content: "Approve from the order's banner",
            trigger: ".o_form_view .alert-warning button[name=action_approve_termination]",
            run: "click",
        },
        {
            content: "Open the request from the Terminations smart button",
            trigger: ".o_form_view .oe_stat_button[name=action_view_termination_requests]",
            run: "click",
        },
        {
            content: "The first step is approved",
            trigger: approvalRow("Sales approval", "Approved"),
        },
        {
            content: "The second step is now pending",
            trigger: approvalRow("Warehouse approval", "Pending"),
        },
        {
            content: "The request still waits for approval",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(To Approve)",
        },
    ],
});

// ---- 3. the warehouse approver approves the last step from the request -----------------------
tours.add("order_termination_final_approval_tour", {
    steps: () => [
        {
            content: "The request waits for the warehouse approval",
            trigger: approvalRow("Warehouse approval", "Pending"),
        },
        {
            content: "Approve",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_approve]",
            run: "click",
        },
        {
            content: "The termination is executed",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Terminated)",
        },
        {
            content: "Both steps are approved",
            trigger: approvalRow("Warehouse approval", "Approved"),
        },
        {
            content: "... the first one too",
            trigger: approvalRow("Sales approval", "Approved"),
        },
    ],
});

// ---- close with the checklist, then reopen ---------------------------------------------------
tours.add("order_close_reopen_tour", {
    steps: () => [
        {
            content: "Click Close on the settled order",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_close_order]",
            run: "click",
        },
        {
            content: "The checklist is shown",
            trigger: ".modal .o_field_widget[name=check_ids] .o_data_row:contains(Paid)",
        },
        {
            content: "Every check passed",
            trigger: ".modal .o_field_widget[name=check_ids]:not(:has(.o_data_row.text-danger))",
        },
        {
            content: "Pick a close reason",
            trigger: ".modal .o_field_widget[name=reason_id] input",
            run: "edit Completed",
        },
        {
            content: "Choose it in the dropdown",
            trigger: ".o-autocomplete--dropdown-item a:contains(Completed)",
            run: "click",
        },
        {
            content: "Write a note",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Everything delivered and paid",
        },
        {
            content: "Close the order",
            trigger: ".modal .modal-footer button[name=action_close]",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The order carries the Closed ribbon",
            trigger: ".o_form_view .ribbon:contains(Closed)",
        },
        {
            content: "The order stays a Sales Order",
            trigger: ".o_form_view .o_statusbar_status .o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "Click Reopen",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_reopen_order]",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit The customer ordered a spare part",
        },
        {
            content: "Reopen the order",
            trigger: ".modal .modal-footer button[name=action_reopen]",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The order is open again: no ribbon, Close is offered again",
            trigger: ".o_form_view:not(:has(.ribbon:contains(Closed))) .o_statusbar_buttons button[name=action_close_order]",
        },
    ],
});
