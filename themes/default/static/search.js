/* placeholder: search UI pending */
