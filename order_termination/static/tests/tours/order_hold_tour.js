/** @odoo-module **/

import { registry } from "@web/core/registry";
import { screenshot } from "@order_revoke_cancel/../tests/tours/screenshot";

/**
 * A salesman puts his order on hold for a customer dispute and releases it.
 *
 * Data comes from tests/test_ui_tours.py (TestOrderTerminationTour): a confirmed order of
 * "Tour Hold Customer" whose salesperson is the requester (salesman and warehouse user).
 */
registry.category("web_tour.tours").add("order_hold_tour", {
    steps: () => [
        {
            content: "Click Place Hold",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_place_hold]",
            run: "click",
        },
        {
            content: "Pick the reason",
            trigger: ".modal .o_field_widget[name=reason_id] input",
            run: "edit Customer dispute",
        },
        {
            content: "Choose it in the dropdown",
            trigger: ".o-autocomplete--dropdown-item a:contains(Customer dispute)",
            run: "click",
        },
        {
            content: "The credit check of billing users is not offered to a salesman",
            trigger: ".modal .o_field_widget[name=reason_id] input",
            run: "edit Credit",
        },
        {
            content: "No such reason in the dropdown",
            trigger: ".o-autocomplete--dropdown-menu:not(:has(a:contains(Credit check)))",
        },
        {
            content: "Back to the dispute",
            trigger: ".modal .o_field_widget[name=reason_id] input",
            run: "edit Customer dispute",
        },
        {
            content: "Choose it again",
            trigger: ".o-autocomplete--dropdown-item a:contains(Customer dispute)",
            run: "click",
        },
        {
            content: "Write a note",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit The customer contests the price",
        },
        {
            content: "Place the hold",
            trigger: ".modal .modal-footer button[name=action_place_hold]",
            run: "click",
        },
        {
            content: "The wizard is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The banner says why, since when and by whom",
            trigger: ".o_form_view [name=manual_hold_banner]:contains(On hold: Customer dispute since):contains(by Tour Requester: The customer contests the price)",
        },
        {
            content: "A held order offers neither Place Hold, Cancel nor Create Invoice",
            trigger: ".o_form_view .o_statusbar_buttons:has(button[name=action_release_hold]):not(:has(button[name=action_place_hold])):not(:has(button[name=action_cancel])):not(:has(button#create_invoice))",
        },
        screenshot("held_order", ".o_action_manager .o_form_view"),
        {
            content: "Click Release Hold",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_release_hold]",
            run: "click",
        },
        {
            content: "Say what was settled",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Agreed on the price",
        },
        {
            content: "Release the hold",
            trigger: ".modal .modal-footer button[name=action_release_hold]",
            run: "click",
        },
        {
            content: "The banner is gone and Place Hold is back",
            trigger: ".o_form_view:not(:has([name=manual_hold_banner]:visible)) .o_statusbar_buttons button[name=action_place_hold]",
        },
    ],
});
