//! Components built once and reused by every page.

pub mod button;
pub mod chart;
pub mod dialog;
pub mod error_banner;
pub mod loading;
pub mod notice;
pub mod pickers;
pub mod secret_field;
pub mod select_field;
pub mod shell;
pub mod standup_list;
pub mod start_now;
pub mod table;
pub mod team_dialog;
pub mod text_field;
pub mod theme_switch;
pub mod toast;

pub use button::{Button, ButtonKind};
pub use dialog::{Confirmation, Dialog, confirm_dialog};
pub use error_banner::ErrorBanner;
pub use loading::{full_page_loading, loading};
pub use notice::{Notice, NoticeKind};
pub use pickers::{Checkbox, TimezoneField, WeekdayPickerProps, weekday_picker};
pub use secret_field::SecretField;
pub use select_field::SelectField;
pub use shell::{Shell, use_viewer};
pub use standup_list::{RecentStandups, participation_label, standup_row, state_badge};
pub use start_now::StartNowButton;
pub use table::{EmptyState, LoadMoreProps, load_more, table_skeleton};
pub use team_dialog::TeamDialog;
pub use text_field::TextField;
pub use theme_switch::ThemeSwitch;
pub use toast::{ToastKind, ToastProvider, Toaster, use_toaster};
