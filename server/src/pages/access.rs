//! The access page's data ([`AccessData`]): admins manage accounts and keys;
//! everyone signed in sees the lists.

use app::data::AccessData;
use app::error::PageError;
use app::model::access::{AccessOverview, Account, KeyScope, Me, NewApiKey, Viewer};

use crate::auth::{accounts, keys, require_admin};
use crate::store::Store;

pub struct AccessPages {
    pub store: Store,
}

fn must_be_admin(viewer: &Viewer) -> Result<(), PageError> {
    Ok(require_admin(viewer)?)
}

#[async_trait::async_trait]
impl AccessData for AccessPages {
    async fn overview(&self, viewer: &Viewer) -> Result<AccessOverview, PageError> {
        let accounts = self.store.accounts().await?;
        let keys = self.store.api_keys().await?;
        Ok(AccessOverview { me: Me::from(viewer), accounts, keys })
    }

    async fn create_key(&self, viewer: &Viewer, name: &str, scope: KeyScope) -> Result<NewApiKey, PageError> {
        must_be_admin(viewer)?;
        Ok(keys::create(&self.store, name, scope, viewer.name()).await?)
    }

    async fn revoke_key(&self, viewer: &Viewer, id: i64) -> Result<(), PageError> {
        must_be_admin(viewer)?;
        Ok(keys::revoke(&self.store, id).await?)
    }

    async fn add_account(&self, viewer: &Viewer, name: &str, password: &str, admin: bool) -> Result<Account, PageError> {
        must_be_admin(viewer)?;
        Ok(accounts::add(&self.store, name, password, admin).await?)
    }

    async fn remove_account(&self, viewer: &Viewer, name: &str) -> Result<(), PageError> {
        must_be_admin(viewer)?;
        Ok(accounts::remove(&self.store, name, viewer.name()).await?)
    }
}
