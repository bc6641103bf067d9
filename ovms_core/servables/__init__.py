"""servables."""
