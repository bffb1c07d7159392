/** @odoo-module **/

import { registry } from "@web/core/registry";
import { screenshot } from "@order_revoke_cancel/../tests/tours/screenshot";

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
            content: "A salesman may not cancel a delivered and invoiced order: no Cancel button",
            trigger: ".o_form_view .o_statusbar_buttons:has(button[name=action_request_termination]):not(:has(button[name=action_cancel]))",
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
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_open_approve_wizard]))",
        },
    ],
});

// ---- 2. the sales manager approves the first step from the order -----------------------------
tours.add("order_termination_first_approval_tour", {
    steps: () => [
        {
            content: "The order shows the pending termination in one sentence",
            trigger: ".o_form_view [name=termination_pending_banner]:contains(is on hold until the termination request)",
        },
        {
            content: "An order on hold offers neither Cancel, Create Invoice nor Close",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_cancel])):not(:has(button#create_invoice)):not(:has(button[name=action_close_order]))",
        },
        {
            content: "... and its lines cannot be edited",
            trigger: ".o_form_view .o_field_widget[name=order_line]:not(:has(.o_field_x2many_list_row_add))",
        },
        screenshot("order_on_hold", ".o_action_manager .o_form_view"),
        {
            content: "Approve from the order's banner",
            trigger: ".o_form_view .alert-warning button[name=action_approve_termination]",
            run: "click",
        },
        {
            content: "The approve dialog says which step the approval decides",
            trigger: ".modal .o_field_widget[name=steps_summary]:contains(Sales approval)",
        },
        {
            content: "Approve with a comment",
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: "edit Fine by sales.",
        },
        {
            content: "Confirm the approval",
            trigger: ".modal footer button[name=action_approve]",
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
        screenshot("termination_request", ".o_action_manager .o_form_view"),
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
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_open_approve_wizard]",
            run: "click",
        },
        {
            content: "Confirm the approval in the dialog",
            trigger: ".modal footer button[name=action_approve]",
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
            // The reason's autocomplete may open again after the choice: a click in the note
            // closes it, as a user's would, so that the picture shows the note.
            content: "Back to the note",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "click",
        },
        screenshot("close_checklist", ".modal .modal-content"),
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
            content: "The Closed banner is one sentence above the sheet, out of the ribbon's way",
            trigger: ".o_form_view [name=closed_banner]:contains(Closed on):contains(for this reason: Completed.)",
        },
        {
            content: "The Locked badge gives way to the ribbon",
            trigger: ".o_form_view .o_form_sheet:not(:has(.badge:contains(Locked)))",
        },
        {
            content: "A closed order offers neither Cancel, Unlock nor Create Invoice",
            trigger: ".o_form_view .o_statusbar_buttons:has(button[name=action_reopen_order]):not(:has(button[name=action_cancel])):not(:has(button[name=action_unlock])):not(:has(button#create_invoice)):not(:has(button#create_invoice_percentage))",
        },
        screenshot("closed_order", ".o_action_manager .o_form_view"),
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

// ---- mass close from the list, and its report ------------------------------------------------
tours.add("order_mass_close_tour", {
    steps: () => [
        {
            content: "Select the settled order",
            trigger: '.o_list_view .o_data_row:contains("Tour Settled Customer") .o_list_record_selector input',
            run: "click",
        },
        {
            content: "Select the order that is not delivered yet",
            trigger: '.o_list_view .o_data_row:contains("Tour Open Customer") .o_list_record_selector input',
            run: "click",
        },
        {
            content: "Open the Actions menu",
            trigger: ".o_control_panel .o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Choose Close Orders",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains(Close Orders)",
            run: "click",
        },
        {
            content: "Close them",
            trigger: ".modal .modal-footer button[name=action_close]",
            run: "click",
        },
        {
            content: "The report says one closed, one skipped",
            trigger: ".modal .o_field_widget[name=result_ids] .o_data_row:contains(Fully delivered)",
        },
        screenshot("mass_close_report", ".modal .modal-content"),
        {
            content: "Done",
            trigger: ".modal .modal-footer button:contains(Done)",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});

// ---- the customer's portal page ----------------------------------------------------------
tours.add("order_termination_portal_tour", {
    steps: () => [
        {
            content: "The customer sees what termination means and may answer",
            trigger: "#termination_portal:has(button[value=confirm]):has(button[value=decline])",
        },
        screenshot("portal_termination", "#wrapwrap"),
    ],
});

// ---- every screen of the addons is reached by clicking, from the apps menu ------------------
const openMenu = (section, item, title) => [
    {
        content: `Open the ${section} menu`,
        trigger: `.o_main_navbar .o_menu_sections button[data-menu-xmlid='${section}']`,
        run: "click",
    },
    {
        content: `Click ${item}`,
        trigger: `.o-dropdown--menu .dropdown-item[data-menu-xmlid='${item}']`,
        run: "click",
    },
    {
        content: `${title} is shown`,
        trigger: `.o_control_panel .o_breadcrumb:contains(${title})`,
    },
];

tours.add("order_addons_menus_tour", {
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open the Sales app",
            trigger: ".o-dropdown--menu .o_app[data-menu-xmlid='sale.sale_menu_root']",
            run: "click",
        },
        ...openMenu(
            "sale.sale_order_menu",
            "order_termination.menu_sale_termination_request",
            "Termination Requests"
        ),
        ...openMenu(
            "sale.menu_sale_report",
            "order_revoke_cancel.menu_sale_order_cancellation",
            "Cancellations"
        ),
        ...openMenu(
            "sale.menu_sale_report",
            "order_termination.menu_sale_termination_request_report",
            "Terminations"
        ),
        ...openMenu(
            "sale.menu_sale_report",
            "order_termination.menu_sale_order_closed_report",
            "Closed Orders"
        ),
        ...openMenu(
            "sale.menu_sale_report",
            "order_termination.menu_sale_cancellation_analysis",
            "Cancellation Analysis"
        ),
        ...openMenu(
            "sale.menu_sale_report",
            "order_termination.menu_sale_termination_approval_analysis",
            "Approval Decision Times"
        ),
        ...openMenu(
            "sale.menu_sale_config",
            "order_revoke_cancel.menu_sale_cancel_reason",
            "Cancellation Reasons"
        ),
        ...openMenu(
            "sale.menu_sale_config",
            "order_termination.menu_sale_termination_reason",
            "Termination Reasons"
        ),
        ...openMenu(
            "sale.menu_sale_config",
            "order_termination.menu_sale_termination_approval_step",
            "Approval Steps"
        ),
        ...openMenu(
            "sale.menu_sale_config",
            "order_termination.menu_sale_close_reason",
            "Close Reasons"
        ),
        ...openMenu(
            "sale.menu_sale_report",
            "order_termination.menu_sale_order_on_hold_report",
            "Orders on Hold"
        ),
        ...openMenu(
            "sale.menu_sale_config",
            "order_termination.menu_sale_hold_reason",
            "Hold Reasons"
        ),
        ...openMenu("sale.menu_sale_config", "sale.menu_sale_general_settings", "Settings"),
        {
            content: "The Cancellation settings are there",
            trigger: ".o_form_view #revoke_cancel_days:contains(Revoke Window)",
        },
        {
            content: "... and the Termination settings",
            trigger: ".o_form_view #auto_close_days:contains(Close Settled Orders Automatically)",
        },
        {
            content: "... with the customers' cancellation requests",
            trigger: ".o_form_view #portal_termination_request:contains(Customers Request Cancellation Online)",
        },
    ],
});
