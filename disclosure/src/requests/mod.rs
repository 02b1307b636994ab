//! Applications for disclosure (依申请公开): the form and its checks, the
//! receiving body, receipt numbers, and `requests.db` where the terminal
//! keeps them until the county has them.

pub mod application;
pub mod receipt_no;
pub mod routing;
pub mod store;
pub mod wire;

pub use application::{
    Applicant, Application, ApplicationForm, Delivery, Field, FieldError, IdDocumentKind,
    InformationWanted, ProvideForm, ReceivingBody,
};
pub use receipt_no::{DeviceNo, ReceiptNo, ReceiptNoError};
pub use routing::receiving_body;
pub use store::{
    ApplicationStatus, ApplicationView, OutboxEntry, PrintOutcome, RequestError, RequestStore,
    StatusEntry, Submission,
};
