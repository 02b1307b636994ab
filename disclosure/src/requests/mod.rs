//! Applications for disclosure (依申请公开): the form and its checks, the
//! receiving body, receipt numbers, who may see an application (the
//! receipt's 查询密码 and progress token), and `requests.db` where the
//! terminal keeps them until the county has them.

pub mod access;
pub mod application;
pub mod printer_health;
pub mod receipt_no;
pub mod routing;
mod schema;
pub mod store;
pub mod wire;

pub use access::ReceiptSecrets;
pub use application::{
    Applicant, ApplicantKind, Application, ApplicationForm, Delivery, Field, FieldError,
    IdDocumentKind, InformationWanted, ProvideForm, ReceivingBody,
};
pub use printer_health::PrinterHealth;
pub use receipt_no::{DeviceNo, ReceiptNo, ReceiptNoError};
pub use routing::receiving_body;
pub use store::{
    ApplicationStatus, ApplicationView, OutboxEntry, OutboxKind, PinCheck, PrintOutcome,
    RequestError, RequestStore, Stage, StagesView, StatusEntry, Submission,
};
