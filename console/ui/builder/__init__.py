"""Parts of the contact-list builder page (:mod:`console.ui.pages.builder`)."""
